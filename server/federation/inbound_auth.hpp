#pragma once
// Checks the X-Matrix signature of an incoming federation request (spec: server-server API,
// "Request Authentication"): header grammar, destination, the origin's key from the key
// ring (valid now), and the signature over method, target, origin, destination and body.

#include "core/expected.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ranvier::federation {

class KeyRing;

/// The parts of an incoming request a signature covers.
struct IncomingRequest {
  std::string_view authorization;  ///< the Authorization header value
  std::string_view method;
  std::string_view uri;            ///< path and `?query` exactly as received
  std::string_view body;           ///< raw body; empty for none
};

/// The verified origin server, or why the request is refused (for a 401 M_UNAUTHORIZED).
core::Expected<std::string, std::string> authenticate_request(const IncomingRequest& request,
                                                              std::string_view our_name, KeyRing& keys,
                                                              std::int64_t now_ms);

}  // namespace ranvier::federation
