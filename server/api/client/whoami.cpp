// GET /_matrix/client/v3/account/whoami
// Spec: client-server API, "GET /_matrix/client/v3/account/whoami".

#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {

ApiResponse getTokenOwner(RequestContext& ctx, const GetTokenOwnerRequest& req) {
  // The dispatcher has already resolved the token (the operation requires one).
  const Principal& who = *ctx.principal;
  nlohmann::json body{{"user_id", who.user_id}, {"is_guest", who.is_guest}};
  if (!who.device_id.empty()) {
    body["device_id"] = who.device_id;
  }
  return json_response(body);
}

}  // namespace ranvier::api::client_server
