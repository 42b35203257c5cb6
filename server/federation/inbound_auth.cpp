#include "federation/inbound_auth.hpp"

#include "federation/key_ring.hpp"
#include "federation/request_signing.hpp"
#include "federation/x_matrix.hpp"

namespace ranvier::federation {

core::Expected<std::string, std::string> authenticate_request(const IncomingRequest& request,
                                                              std::string_view our_name, KeyRing& keys,
                                                              std::int64_t now_ms) {
  using core::fail;
  if (request.authorization.empty()) {
    return fail(std::string("Missing X-Matrix Authorization header"));
  }
  auto auth = parse_x_matrix(request.authorization);
  if (!auth) {
    return fail(std::string(to_string(auth.error())));
  }
  nlohmann::json content;
  if (!request.body.empty()) {
    content = nlohmann::json::parse(request.body, nullptr, false);
    if (content.is_discarded()) {
      return fail(std::string("The request body is not JSON, so its signature cannot be checked"));
    }
  }
  // Signature checks that need a fetch are bounded by the key ring's throttle: an unknown
  // origin costs at most one key request per refetch interval.
  auto origin = verify_request(*auth, request.method, request.uri, request.body.empty() ? nullptr : &content,
                               our_name, keys.lookup(now_ms), now_ms);
  if (!origin) {
    return fail(std::string(to_string(origin.error())));
  }
  return std::move(*origin);
}

}  // namespace ranvier::federation
