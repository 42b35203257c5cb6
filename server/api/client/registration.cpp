// POST /_matrix/client/v3/register and GET /_matrix/client/v3/register/available
// Spec: client-server API, "Account registration" and "User-Interactive Authentication API".

#include "api/client/appservice_auth.hpp"
#include "api/client/sessions.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "api/uia.hpp"
#include "appservice/registry.hpp"
#include "config/config.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

namespace ranvier::api::client_server {
namespace {

using config::RegistrationMode;

/// A localpart for a user who registers without choosing one.
std::string random_localpart() {
  std::string out = "u";
  for (int i = 0; i < 12; ++i) {
    out += "0123456789abcdefghijklmnopqrstuvwxyz"[randombytes_uniform(36)];
  }
  return out;
}

/// A fresh numeric localpart for a guest (Synapse's convention, so IDs look familiar).
std::string guest_localpart(storage::WriteTx& tx, const std::string& server_name) {
  for (;;) {
    std::string localpart = std::to_string(100000 + randombytes_uniform(900000000));
    if (!tx.accounts().get("@" + localpart + ":" + server_name)) {
      return localpart;
    }
  }
}

/// The `token` of an m.login.registration_token auth dict ("" when missing).
std::string registration_token_of(const nlohmann::json& auth) {
  return auth.is_object() && auth.contains("token") && auth["token"].is_string() ? auth["token"].get<std::string>()
                                                                                : "";
}

/// True if the token exists and still has uses left and time to run (issued by the operator
/// with `ranvier registration-token`). Using it up happens with the account's creation.
bool registration_token_is_valid(const RequestContext& ctx, const nlohmann::json& auth) {
  const auto token = registration_token_of(auth);
  auto found = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.registration_tokens().get(token); });
  return found && found->usable(now_ms());
}

/// Spec: application service API, "Server admin style permissions": a user in an exclusive
/// namespace is the service's to create, nobody else's.
void check_not_exclusive(const Services& services, const std::string& user_id) {
  if (services.appservices != nullptr && services.appservices->exclusive_user_owner(user_id) != nullptr) {
    throw MatrixError(ErrCode::exclusive, "This user ID is reserved by an application service");
  }
}

/// Registration by an application service (`type: m.login.application_service` with its
/// as_token): no UIA, no password, any localpart in its user namespace.
ApiResponse register_for_appservice(RequestContext& ctx, const RegisterRequest& req) {
  const auto* service = &appservice_of_request(ctx);
  if (!req.username) {
    throw MatrixError(ErrCode::missing_param, "username is required");
  }
  check_new_localpart(ctx.services, *req.username);
  const std::string user_id = "@" + *req.username + ":" + ctx.services.config.server_name;
  if (!ctx.services.appservices->may_act_as(*service, user_id)) {
    throw MatrixError(ErrCode::exclusive, "This user ID is not in the application service's namespace");
  }
  auto login = ctx.services.database.write([&](storage::WriteTx& tx) -> LoginResult {
    storage::Account account;
    account.user_id = user_id;
    account.created_ts = now_ms();
    if (tx.accounts().create(account) == storage::CreateResult::exists) {
      throw MatrixError(ErrCode::user_in_use, "User ID already taken");
    }
    create_initial_profile(tx, user_id, *req.username);
    if (req.inhibit_login.value_or(false)) {
      return LoginResult{user_id, "", ""};
    }
    return log_device_in(tx, user_id, req.device_id, req.initial_device_display_name, ctx.request.remote_address,
                         refreshable_lifetime(ctx.services, req.refresh_token));
  });
  if (login.access_token.empty()) {
    return json_response({{"user_id", login.user_id}});
  }
  return json_response(login_response(ctx.services, login));
}

}  // namespace

ApiResponse register_(RequestContext& ctx, const RegisterRequest& req) {
  const auto& cfg = ctx.services.config;
  if (req.body.is_object() && req.body.value("type", "") == "m.login.application_service") {
    return register_for_appservice(ctx, req);
  }
  if (req.kind != "user" && req.kind != "guest") {
    throw MatrixError(ErrCode::invalid_param, "kind must be 'user' or 'guest'");
  }
  if (cfg.registration == RegistrationMode::closed) {
    throw MatrixError(ErrCode::forbidden, "Registration is disabled on this server");
  }
  const bool guest = req.kind == "guest";
  if (guest && cfg.registration != RegistrationMode::open) {
    throw MatrixError(ErrCode::forbidden, "Guest access is disabled on this server");
  }
  if (!guest) {
    // Open: one m.login.dummy stage, which a first request may already carry.
    // Token: one m.login.registration_token stage (spec: "Token-authenticated registration").
    const std::string stage =
        cfg.registration == RegistrationMode::open ? "m.login.dummy" : "m.login.registration_token";
    if (uia_stage_of(req.auth).empty()) {
      return uia_challenge(stage, req.auth);
    }
    if (uia_stage_of(req.auth) != stage) {
      throw MatrixError(ErrCode::unrecognized, "Unsupported authentication type for registration");
    }
    if (stage == "m.login.registration_token" && !registration_token_is_valid(ctx, *req.auth)) {
      throw MatrixError(ErrCode::unauthorized, "Invalid registration token");
    }
  }
  std::optional<std::string> hash;
  if (!guest && req.password) {
    hash = hash_password(*req.password, password_cost(ctx.services));  // outside the transaction: slow
  }
  if (!guest && req.username) {
    check_new_localpart(ctx.services, *req.username);
    check_not_exclusive(ctx.services, "@" + *req.username + ":" + cfg.server_name);
  }
  auto login = ctx.services.database.write([&](storage::WriteTx& tx) -> std::optional<LoginResult> {
    std::string localpart;
    if (guest) {
      localpart = guest_localpart(tx, cfg.server_name);
    } else if (req.username) {
      localpart = *req.username;
    } else {
      localpart = random_localpart();
    }
    storage::Account account;
    account.user_id = "@" + localpart + ":" + cfg.server_name;
    account.password_hash = hash;
    account.is_guest = guest;
    account.created_ts = now_ms();
    if (tx.accounts().create(account) == storage::CreateResult::exists) {
      throw MatrixError(ErrCode::user_in_use, "User ID already taken");
    }
    // A token with one use left admits one of two concurrent registrations.
    if (!guest && cfg.registration == RegistrationMode::token &&
        !tx.registration_tokens().consume(registration_token_of(*req.auth), now_ms())) {
      throw MatrixError(ErrCode::unauthorized, "Invalid registration token");
    }
    if (!guest) {
      create_initial_profile(tx, account.user_id, localpart);
    }
    if (req.inhibit_login.value_or(false) && !guest) {
      return LoginResult{account.user_id, "", ""};
    }
    return log_device_in(tx, account.user_id, guest ? std::nullopt : req.device_id, req.initial_device_display_name,
                         ctx.request.remote_address, refreshable_lifetime(ctx.services, req.refresh_token));
  });
  if (login->access_token.empty()) {
    return json_response({{"user_id", login->user_id}});
  }
  return json_response(login_response(ctx.services, *login));
}

ApiResponse checkUsernameAvailability(RequestContext& ctx, const CheckUsernameAvailabilityRequest& req) {
  check_new_localpart(ctx.services, req.username);
  const std::string user_id = "@" + req.username + ":" + ctx.services.config.server_name;
  check_not_exclusive(ctx.services, user_id);
  auto existing = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.accounts().get(user_id); });
  if (existing) {
    throw MatrixError(ErrCode::user_in_use, "User ID already taken");
  }
  return json_response({{"available", true}});
}

}  // namespace ranvier::api::client_server

namespace ranvier::api::client_server {

ApiResponse registrationTokenValidity(RequestContext& ctx, const RegistrationTokenValidityRequest& req) {
  if (ctx.services.config.registration != RegistrationMode::token) {
    throw MatrixError(ErrCode::forbidden, "This server does not use registration tokens");
  }
  return json_response({{"valid", registration_token_is_valid(ctx, {{"token", req.token}})}});
}

}  // namespace ranvier::api::client_server
