// GET /.well-known/matrix/server: delegation of federation traffic, served from the config.
// Spec: server-server API, "Resolving server names" and "GET /.well-known/matrix/server".

#include "api/errors.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::server_server {

ApiResponse getWellKnown(RequestContext& ctx, const GetWellKnownRequest& req) {
  const auto& delegated = ctx.services.config.well_known_server;
  if (!delegated) {
    throw MatrixError(ErrCode::not_found, "No delegation is configured");
  }
  return json_response({{"m.server", *delegated}});
}

}  // namespace ranvier::api::server_server
