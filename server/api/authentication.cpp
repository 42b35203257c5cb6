#include "api/authentication.hpp"

#include "api/account_moderation.hpp"
#include "api/client/appservice_auth.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "federation/inbound_auth.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace ranvier::api {
namespace {

void authenticate_access_token(RequestContext& ctx) {
  const auto token = access_token_of(ctx);
  if (token.empty()) {
    if (ctx.operation.auth == AuthRequirement::required) {
      throw MatrixError(ErrCode::missing_token, "Missing access token");
    }
    return;
  }
  if (const auto* service = appservice_of_token(ctx.services, token)) {
    ctx.principal = appservice_principal(ctx, *service, token);
    return;
  }
  auto owner = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.tokens().lookup(token); });
  if (!owner) {
    throw MatrixError(ErrCode::unknown_token, "Unrecognised access token", nlohmann::json{{"soft_logout", false}});
  }
  const auto now = now_ms();
  if (owner->expired_at(now)) {
    // Spec: an expired token (refresh flow) is reported with soft_logout so the client refreshes.
    throw MatrixError(ErrCode::unknown_token, "Access token has expired", nlohmann::json{{"soft_logout", true}});
  }
  if (owner->retires_refresh_token) {
    // Spec: the refresh token this access token was issued for is revoked at its first use.
    ctx.services.database.write([&](storage::WriteTx& tx) { tx.tokens().retire_replaced_refresh_token(token, now); });
  }
  record_request(ctx, *owner, now);
  enforce_account_moderation(ctx, owner->user_id, owner->locked, owner->suspended);
  ctx.principal = Principal{owner->user_id, owner->device_id, std::string(token), owner->is_guest, owner->is_admin};
}

// Spec: server-server API, "Request Authentication". The signature covers the request target
// as sent (path still percent-encoded, with the query) and the parsed body.
void authenticate_signed_request(RequestContext& ctx) {
  const auto header = ctx.request.header("authorization");
  if (header.empty() && ctx.operation.auth != AuthRequirement::required) {
    return;
  }
  if (ctx.services.key_ring == nullptr) {
    throw MatrixError(ErrCode::unauthorized, "This server cannot verify request signatures");
  }
  const std::string uri = ctx.request.query.empty() ? ctx.request.path : ctx.request.path + "?" + ctx.request.query;
  auto origin = federation::authenticate_request(
      federation::IncomingRequest{header, ctx.request.method, uri, ctx.request.body},
      ctx.services.identity.server_name, *ctx.services.key_ring, now_ms());
  if (!origin) {
    throw MatrixError(ErrCode::unauthorized, origin.error());
  }
  ctx.origin = std::move(*origin);
}

}  // namespace

std::string_view access_token_of(const RequestContext& ctx) {
  auto header = ctx.request.header("authorization");
  constexpr std::string_view bearer = "Bearer ";
  if (header.size() > bearer.size() && header.substr(0, bearer.size()) == bearer) {
    return header.substr(bearer.size());
  }
  for (const auto& [key, value] : ctx.query) {
    if (key == "access_token") {
      return value;
    }
  }
  return {};
}

void authenticate(RequestContext& ctx) {
  switch (ctx.operation.scheme) {
    case AuthScheme::none:
      return;
    case AuthScheme::access_token:
      authenticate_access_token(ctx);
      return;
    case AuthScheme::signed_request:
      authenticate_signed_request(ctx);
      return;
    case AuthScheme::homeserver_token:
      if (ctx.operation.auth == AuthRequirement::required) {
        throw MatrixError(ErrCode::unauthorized, "Application service requests are not served here");
      }
      return;
  }
}

}  // namespace ranvier::api
