// POST /_matrix/client/v3/account/password and POST /_matrix/client/v3/account/deactivate
// Spec: client-server API, "Account management" (both need the password again through UIA).

#include "api/client/device_lists.hpp"
#include "api/client/room_access.hpp"
#include "api/client/sessions.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "api/uia.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {
namespace {

void refuse_guests(const RequestContext& ctx) {
  if (ctx.principal->is_guest) {
    throw MatrixError(ErrCode::guest_access_forbidden, "Guest accounts cannot do this");
  }
}

}  // namespace

ApiResponse changePassword(RequestContext& ctx, const ChangePasswordRequest& req) {
  refuse_guests(ctx);
  if (auto challenge = require_password_stage(ctx, req.auth)) {
    return std::move(*challenge);
  }
  const Principal& who = *ctx.principal;
  const std::string hash = hash_password(req.new_password, password_cost(ctx.services));
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.accounts().set_password_hash(who.user_id, hash);
    // Spec: other devices (and their tokens) are logged out unless logout_devices is false.
    if (req.logout_devices.value_or(true)) {
      for (const auto& device : tx.devices().list(who.user_id)) {
        if (device.device_id != who.device_id) {
          remove_device(tx, ctx.services.identity.server_name, who.user_id, device.device_id);
        }
      }
    }
  });
  return json_response(nlohmann::json::object());
}

ApiResponse deactivateAccount(RequestContext& ctx, const DeactivateAccountRequest& req) {
  refuse_guests(ctx);
  // An application service deactivates its users (who have no password) with its token alone,
  // as Synapse allows; everyone else confirms with their password.
  if (ctx.principal->appservice_id.empty()) {
    if (auto challenge = require_password_stage(ctx, req.auth)) {
      return std::move(*challenge);
    }
  }
  const Principal& who = *ctx.principal;
  // `erase` asks to forget the user's messages too; there are no rooms yet, so deactivation
  // (no password, no devices, no tokens) is all there is to do.
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.accounts().deactivate(who.user_id);
    remove_all_devices(tx, ctx.services.identity.server_name, who.user_id);
  });
  // Ranvier binds no third-party identifiers, so it has nothing to unbind at identity servers.
  return json_response({{"id_server_unbind_result", "no-support"}});
}

}  // namespace ranvier::api::client_server
