// GET /_matrix/federation/v1/openid/userinfo (server-server API, "OpenID",
// https://spec.matrix.org/latest/server-server-api/#openid): exchanges an OpenID token issued by
// /user/{userId}/openid/request_token for the user ID it was issued to. The token is the only
// credential; the request is not signed.

#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/openid_tokens.hpp"
#include "api/services.hpp"

namespace ranvier::api::server_server {

ApiResponse exchangeOpenIdToken(RequestContext& ctx, const ExchangeOpenIdTokenRequest& req) {
  const auto user_id = lookup_openid_token(ctx.services.database, req.access_token, now_ms());
  if (!user_id) {
    throw MatrixError(ErrCode::unknown_token, "Access token unknown or expired");
  }
  return json_response({{"sub", *user_id}});
}

}  // namespace ranvier::api::server_server
