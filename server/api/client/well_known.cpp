// GET /.well-known/matrix/client and /.well-known/matrix/support, served from the config so
// delegation needs no other web server.
// Spec: client-server API, "Server Discovery" and "GET /.well-known/matrix/support".

#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {

ApiResponse getWellknown(RequestContext& ctx, const GetWellknownRequest& req) {
  const auto& base_url = ctx.services.config.well_known_client_base_url;
  if (!base_url) {
    throw MatrixError(ErrCode::not_found, "No server discovery information is configured");
  }
  return json_response({{"m.homeserver", {{"base_url", *base_url}}}});
}

ApiResponse getWellknownSupport(RequestContext& ctx, const GetWellknownSupportRequest& req) {
  const auto& support = ctx.services.config.well_known_support;
  if (!support) {
    throw MatrixError(ErrCode::not_found, "No support information is configured");
  }
  return json_response(*support);
}

}  // namespace ranvier::api::client_server
