// POST /user/{userId}/openid/request_token (client-server API, "OpenID",
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3useruseridopenidrequest_token):
// a token another party can exchange with this server (federation `openid/userinfo`) for the
// caller's user ID, proving who they are without handing out their access token.

#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/openid_tokens.hpp"
#include "api/services.hpp"
#include "config/config.hpp"

namespace ranvier::api::client_server {

ApiResponse requestOpenIdToken(RequestContext& ctx, const RequestOpenIdTokenRequest& req) {
  if (req.user_id != ctx.principal->user_id) {
    throw MatrixError(ErrCode::forbidden, "You may only request OpenID tokens for yourself");
  }
  const auto token = issue_openid_token(ctx.services.database, ctx.principal->user_id, now_ms());
  return json_response({{"access_token", token},
                        {"token_type", "Bearer"},
                        {"matrix_server_name", ctx.services.config.server_name},
                        {"expires_in", openid_token_lifetime_ms / 1000}});
}

}  // namespace ranvier::api::client_server
