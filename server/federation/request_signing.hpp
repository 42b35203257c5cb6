#pragma once
// Signing and checking federation requests (spec: server-server API, "Request
// Authentication"): the method, target, origin, destination and parsed body are wrapped in a
// JSON object, signed with the origin's key, and the signature travels in an X-Matrix header.
// Pure: the caller supplies keys.

#include "core/expected.hpp"
#include "core/signing.hpp"
#include "federation/x_matrix.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ranvier::federation {

/// What a signature covers. `uri` is the request target exactly as sent: path (still
/// percent-encoded) and `?query` if any.
struct SignedRequest {
  std::string_view method;
  std::string_view uri;
  std::string_view origin;
  std::string_view destination;
  /// The parsed JSON body; absent for requests without one.
  const nlohmann::json* content = nullptr;
};

/// The JSON object that is signed: {method, uri, origin, destination[, content]}.
nlohmann::json request_signing_object(const SignedRequest& request);

/// The Authorization header value for `request`, signed with `key` of `request.origin`.
std::string authorization_header(const SignedRequest& request, const core::SigningKey& key);

/// Why an incoming request's signature was refused.
enum class RequestAuthError {
  wrong_destination,  ///< the header names another server
  bad_origin,         ///< origin is not a server name
  unknown_key,        ///< the origin's key could not be found
  key_expired,        ///< the key was not valid now
  bad_signature,      ///< not base64, or does not verify
};

/// Short English description, for 401 responses.
std::string_view to_string(RequestAuthError e);

/// Checks a parsed X-Matrix header against the request it came with. `our_name` must match
/// the header's destination when present; `lookup` finds the origin's key; `now_ms` is when
/// the key must still be valid. Returns the verified origin.
core::Expected<std::string, RequestAuthError> verify_request(const XMatrixAuth& auth, std::string_view method,
                                                             std::string_view uri, const nlohmann::json* content,
                                                             std::string_view our_name,
                                                             const core::VerifyKeyLookup& lookup,
                                                             std::int64_t now_ms);

}  // namespace ranvier::federation
