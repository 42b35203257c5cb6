#include "api/authentication.hpp"

#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/services.hpp"
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
  ctx.principal = Principal{owner->user_id, owner->device_id, std::string(token), owner->is_guest, owner->is_admin};
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
    case AuthScheme::homeserver_token:
      if (ctx.operation.auth == AuthRequirement::required) {
        // X-Matrix request signatures arrive with the federation work (issue 7); until then no
        // signed-request endpoint is implemented, so this is only reached by future handlers.
        throw MatrixError(ErrCode::unauthorized, "This server cannot verify request signatures yet");
      }
      return;
  }
}

}  // namespace ranvier::api
