// GET/PUT /_matrix/client/v1/admin/lock/{userId} and /_matrix/client/v1/admin/suspend/{userId}
// Spec: client-server API, "Server administration" (account moderation, v1.18), with the
// effects in "Account locking" and "Account suspension" (api/account_moderation.cpp).

#include "api/admin/account_moderation.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {
namespace {

using admin::Moderation;

const char* field_of(Moderation which) { return which == Moderation::lock ? "locked" : "suspended"; }

/// The checks both methods share, in the spec's order: the caller's admin rights before any
/// look-up (no user enumeration), then the target's server, existence and rank.
void check_target(const RequestContext& ctx, const std::string& user_id, bool changing) {
  if (!ctx.principal || !ctx.principal->is_admin) {
    throw MatrixError(ErrCode::forbidden, "Requesting user is not a server administrator");
  }
  const auto parsed = core::parse_user_id(user_id);
  if (!parsed) {
    throw MatrixError(ErrCode::invalid_param, "Not a user ID: " + user_id);
  }
  if (parsed->server_name != ctx.services.config.server_name) {
    throw MatrixError(ErrCode::invalid_param, "User does not belong to the local server");
  }
  if (changing && user_id == ctx.principal->user_id) {
    throw MatrixError(ErrCode::forbidden, "You may not lock or suspend your own account");
  }
  const auto account = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.accounts().get(user_id); });
  if (!account || account->deactivated) {
    throw MatrixError(ErrCode::not_found, "User not found");
  }
  if (account->is_admin && user_id != ctx.principal->user_id) {
    throw MatrixError(ErrCode::forbidden, "The target user is another server administrator");
  }
}

ApiResponse get_state(RequestContext& ctx, const std::string& user_id, Moderation which) {
  check_target(ctx, user_id, false);
  const auto state =
      ctx.services.database.read([&](storage::ReadTx& tx) { return admin::moderation_state(tx, user_id, which); });
  if (!state) {
    throw MatrixError(ErrCode::not_found, "User not found");
  }
  return json_response({{field_of(which), *state}});
}

ApiResponse put_state(RequestContext& ctx, const std::string& user_id, Moderation which, bool value) {
  check_target(ctx, user_id, true);
  if (!admin::set_moderation(ctx.services.database, user_id, which, value)) {
    throw MatrixError(ErrCode::not_found, "User not found");
  }
  return json_response({{field_of(which), value}});
}

}  // namespace

ApiResponse getAdminLockUser(RequestContext& ctx, const GetAdminLockUserRequest& req) {
  return get_state(ctx, req.user_id, Moderation::lock);
}

ApiResponse setAdminLockUser(RequestContext& ctx, const SetAdminLockUserRequest& req) {
  return put_state(ctx, req.user_id, Moderation::lock, req.locked);
}

ApiResponse getAdminSuspendUser(RequestContext& ctx, const GetAdminSuspendUserRequest& req) {
  return get_state(ctx, req.user_id, Moderation::suspend);
}

ApiResponse setAdminSuspendUser(RequestContext& ctx, const SetAdminSuspendUserRequest& req) {
  return put_state(ctx, req.user_id, Moderation::suspend, req.suspended);
}

}  // namespace ranvier::api::client_server
