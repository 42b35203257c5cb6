// GET/POST /_matrix/client/v3/login, POST /logout, POST /logout/all
// Spec: client-server API, "Login" and "Logout".

#include "api/client/sessions.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {
namespace {

/// The full user ID a login names, from `identifier` (m.id.user) or the deprecated `user`.
std::string user_id_of(const Services& services, const LoginRequest& req) {
  std::string user;
  if (req.identifier) {
    const auto& id = *req.identifier;
    if (!id.is_object() || id.value("type", "") != "m.id.user" || !id.contains("user") || !id["user"].is_string()) {
      throw MatrixError(ErrCode::unknown, "Only m.id.user identifiers are supported");
    }
    user = id["user"].get<std::string>();
  } else if (req.user) {
    user = *req.user;
  } else {
    throw MatrixError(ErrCode::bad_json, "identifier is required");
  }
  if (!user.starts_with("@")) {
    return "@" + user + ":" + services.config.server_name;
  }
  return user;
}

}  // namespace

ApiResponse getLoginFlows(RequestContext& ctx, const GetLoginFlowsRequest& req) {
  return json_response({{"flows", {{{"type", "m.login.password"}}}}});
}

ApiResponse login(RequestContext& ctx, const LoginRequest& req) {
  if (req.type != "m.login.password") {
    throw MatrixError(ErrCode::unknown, "Unsupported login type " + req.type);
  }
  if (!req.password) {
    throw MatrixError(ErrCode::bad_json, "password is required");
  }
  const std::string user_id = user_id_of(ctx.services, req);
  auto account = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.accounts().get(user_id); });
  // The same answer for "no such user" and "wrong password", so accounts cannot be probed.
  const MatrixError invalid(ErrCode::forbidden, "Invalid username or password");
  if (!account) {
    throw invalid;
  }
  if (account->deactivated) {
    throw MatrixError(ErrCode::user_deactivated, "This account has been deactivated");
  }
  if (!account->password_hash || !verify_password(*req.password, *account->password_hash)) {
    throw invalid;
  }
  auto result = ctx.services.database.write([&](storage::WriteTx& tx) {
    return log_device_in(tx, user_id, req.device_id, req.initial_device_display_name, ctx.request.remote_address);
  });
  return json_response(login_response(ctx.services, result));
}

ApiResponse logout(RequestContext& ctx, const LogoutRequest& req) {
  const Principal& who = *ctx.principal;
  // Spec: the token's device goes too (and with it every token it had).
  ctx.services.database.write([&](storage::WriteTx& tx) {
    tx.tokens().remove(who.access_token);
    tx.devices().remove(who.user_id, who.device_id);
  });
  return json_response(nlohmann::json::object());
}

ApiResponse logout_all(RequestContext& ctx, const Logout_allRequest& req) {
  const Principal& who = *ctx.principal;
  ctx.services.database.write([&](storage::WriteTx& tx) {
    tx.tokens().remove_for_user(who.user_id);
    tx.devices().remove_all(who.user_id);
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
