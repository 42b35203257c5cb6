// GET/POST /_matrix/client/v3/login, POST /logout, POST /logout/all, POST /v1/login/get_token,
// POST /v3/refresh
// Spec: client-server API, "Login" (with the m.login.token type), "Logout" and "Refreshing
// access tokens".

#include "api/client/appservice_auth.hpp"
#include "api/client/device_lists.hpp"
#include "api/client/room_access.hpp"
#include "api/client/sessions.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "api/uia.hpp"
#include "appservice/registry.hpp"
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

LoginResult log_in(RequestContext& ctx, storage::WriteTx& tx, const LoginRequest& req, const std::string& user_id) {
  return log_device_in(tx, user_id, req.device_id, req.initial_device_display_name, ctx.request.remote_address,
                       refreshable_lifetime(ctx.services, req.refresh_token));
}

ApiResponse password_login(RequestContext& ctx, const LoginRequest& req) {
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
  auto result = ctx.services.database.write([&](storage::WriteTx& tx) { return log_in(ctx, tx, req, user_id); });
  return json_response(login_response(ctx.services, result));
}

/// m.login.token: a token from POST /login/get_token logs one device in, once.
ApiResponse token_login(RequestContext& ctx, const LoginRequest& req) {
  if (!req.token) {
    throw MatrixError(ErrCode::bad_json, "token is required");
  }
  auto result = ctx.services.database.write([&](storage::WriteTx& tx) {
    auto user_id = tx.tokens().consume_login_token(*req.token, now_ms());
    if (!user_id) {
      throw MatrixError(ErrCode::forbidden, "Invalid or expired login token");
    }
    auto account = tx.accounts().get(*user_id);
    if (!account || account->deactivated) {
      // Thrown inside the transaction, so the token is not used up by this attempt; it stays
      // useless all the same, as the account cannot come back.
      throw MatrixError(ErrCode::user_deactivated, "This account has been deactivated");
    }
    return log_in(ctx, tx, req, *user_id);
  });
  return json_response(login_response(ctx.services, result));
}

/// m.login.application_service (client-server API, "Appservice login"): the service's as_token
/// logs in a user of its namespace, no password needed.
ApiResponse appservice_login(RequestContext& ctx, const LoginRequest& req) {
  const auto* service = &appservice_of_request(ctx);
  const std::string user_id = user_id_of(ctx.services, req);
  if (!ctx.services.appservices->may_act_as(*service, user_id)) {
    throw MatrixError(ErrCode::forbidden, "This user is not in the application service's namespace");
  }
  auto account = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.accounts().get(user_id); });
  if (!account || account->deactivated) {
    throw MatrixError(ErrCode::forbidden, "No such user");
  }
  auto result = ctx.services.database.write([&](storage::WriteTx& tx) { return log_in(ctx, tx, req, user_id); });
  return json_response(login_response(ctx.services, result));
}

}  // namespace

ApiResponse getLoginFlows(RequestContext& ctx, const GetLoginFlowsRequest& req) {
  auto flows = nlohmann::json::array({{{"type", "m.login.password"}}});
  if (ctx.services.config.sessions.login_tokens) {
    // get_login_token tells logged-out clients that another device can hand them a token.
    flows.push_back({{"type", "m.login.token"}, {"get_login_token", true}});
  }
  if (ctx.services.appservices != nullptr && !ctx.services.appservices->empty()) {
    flows.push_back({{"type", "m.login.application_service"}});
  }
  return json_response({{"flows", flows}});
}

ApiResponse login(RequestContext& ctx, const LoginRequest& req) {
  if (req.type == "m.login.password") {
    return password_login(ctx, req);
  }
  if (req.type == "m.login.token" && ctx.services.config.sessions.login_tokens) {
    return token_login(ctx, req);
  }
  if (req.type == "m.login.application_service") {
    return appservice_login(ctx, req);
  }
  throw MatrixError(ErrCode::unknown, "Unsupported login type " + req.type);
}

ApiResponse generateLoginToken(RequestContext& ctx, const GenerateLoginTokenRequest& req) {
  if (!ctx.services.config.sessions.login_tokens) {
    throw MatrixError(ErrCode::forbidden, "Login tokens are disabled on this server");
  }
  if (ctx.principal->is_guest) {
    throw MatrixError(ErrCode::guest_access_forbidden, "Guest accounts cannot issue login tokens");
  }
  // Spec: always ask again, so each new device is consented to. The password stage is the
  // only one, and no earlier completion counts.
  if (auto challenge = require_password_stage(ctx, req.auth)) {
    return std::move(*challenge);
  }
  const auto lifetime = static_cast<std::int64_t>(ctx.services.config.sessions.login_token_lifetime_ms);
  const std::string token = storage::generate_token(login_token_prefix);
  ctx.services.database.write([&](storage::WriteTx& tx) {
    const auto now = now_ms();
    tx.tokens().create_login_token({token, ctx.principal->user_id, now, now + lifetime});
  });
  return json_response({{"login_token", token}, {"expires_in_ms", lifetime}});
}

ApiResponse refresh(RequestContext& ctx, const RefreshRequest& req) {
  const auto lifetime = static_cast<std::int64_t>(ctx.services.config.sessions.refreshable_access_token_lifetime_ms);
  const auto now = now_ms();
  const storage::RefreshExchange issued{storage::generate_token(refresh_token_prefix),
                                        storage::generate_access_token(), now, now + lifetime};
  auto device = ctx.services.database.write(
      [&](storage::WriteTx& tx) { return tx.tokens().exchange_refresh_token(req.refresh_token, issued); });
  if (!device) {
    throw MatrixError(ErrCode::unknown_token, "Unknown or already used refresh token",
                      nlohmann::json{{"soft_logout", true}});
  }
  return json_response(
      {{"access_token", issued.access_token}, {"refresh_token", issued.refresh_token}, {"expires_in_ms", lifetime}});
}

ApiResponse logout(RequestContext& ctx, const LogoutRequest& req) {
  const Principal& who = *ctx.principal;
  // Spec: the token's device goes too (and with it every token it had).
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.tokens().remove(who.access_token);
    remove_device(tx, ctx.services.identity.server_name, who.user_id, who.device_id);
  });
  return json_response(nlohmann::json::object());
}

ApiResponse logout_all(RequestContext& ctx, const Logout_allRequest& req) {
  const Principal& who = *ctx.principal;
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.tokens().remove_for_user(who.user_id);
    remove_all_devices(tx, ctx.services.identity.server_name, who.user_id);
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
