// PUT /_synapse/admin/v1/suspend/{userId} (Synapse's user admin API, "Suspend/Unsuspend
// Account"; its locking is the `locked` field of PUT /_synapse/admin/v2/users, in users.cpp),
// GET /_synapse/admin/v1/whois/{userId} (the spec's whois under Synapse's path), and the
// account-moderation storage steps every front end shares.

#include "api/admin/account_moderation.hpp"

#include "api/admin/admin_common.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"

#include <array>

namespace ranvier::api::admin {

std::optional<bool> moderation_state(storage::ReadTx& tx, const std::string& user_id, Moderation which) {
  const auto account = tx.accounts().get(user_id);
  if (!account || account->deactivated) {
    return std::nullopt;
  }
  return which == Moderation::lock ? account->locked : account->suspended;
}

bool set_moderation(storage::Database& database, const std::string& user_id, Moderation which, bool value) {
  return database.write([&](storage::WriteTx& tx) {
    if (!moderation_state(tx, user_id, which)) {
      return false;
    }
    return which == Moderation::lock ? tx.accounts().set_locked(user_id, value)
                                     : tx.accounts().set_suspended(user_id, value);
  });
}

namespace {

ApiResponse put_suspend(RequestContext& ctx) {
  require_admin(ctx);
  const auto user_id = local_user_param(ctx, 0);
  const auto body = object_body(ctx);
  const auto suspend = optional_bool(body, "suspend");
  if (!suspend) {
    throw MatrixError(ErrCode::missing_param, "suspend is required");
  }
  if (!set_moderation(ctx.services.database, user_id, Moderation::suspend, *suspend)) {
    throw MatrixError(ErrCode::not_found, "User not found");
  }
  return json_response({{"user_" + user_id + "_suspended", *suspend}});
}

/// Synapse answers its whois exactly as the spec's: same checks (self or admin), same body.
ApiResponse get_whois(RequestContext& ctx) {
  return client_server::getWhoIs(ctx, client_server::GetWhoIsRequest{.user_id = ctx.path_params.at(0), .body = {}});
}

constexpr std::array<Operation, 2> operations{{
    admin_operation("PUT", "/_synapse/admin/v1/suspend/{userId}", "synapse.admin.suspendUser", &put_suspend),
    admin_operation("GET", "/_synapse/admin/v1/whois/{userId}", "synapse.admin.whois", &get_whois),
}};

}  // namespace

std::span<const Operation> moderation_operations() { return operations; }

}  // namespace ranvier::api::admin
