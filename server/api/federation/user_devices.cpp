// GET /_matrix/federation/v1/user/devices/{userId} (server-server API, "Device Management",
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1userdevicesuserid):
// a local user's devices with their identity keys and display names, the user's master and
// self-signing keys, and the device-list stream position they describe, which later
// m.device_list_update EDUs continue from.

#include "api/client/local_keys.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/federation/local_users.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"

namespace ranvier::api::server_server {

ApiResponse getUserDevices(RequestContext& ctx, const GetUserDevicesRequest& req) {
  origin_of(ctx);
  check_local_user(ctx, req.user_id);
  auto answer = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto account = tx.accounts().get(req.user_id);
    if (!account) {
      throw MatrixError(ErrCode::not_found, "No user " + req.user_id);
    }
    const auto found = client_server::find_local_keys(tx, {req.user_id});
    auto devices = nlohmann::json::array();
    for (const auto& device : found.devices) {
      nlohmann::json entry = {{"device_id", device.device_id},
                              {"keys", client_server::served_device_keys(device, found.signatures, "", false)}};
      if (device.display_name) {
        entry["device_display_name"] = *device.display_name;
      }
      devices.push_back(std::move(entry));
    }
    nlohmann::json answer = {{"user_id", req.user_id},
                             {"stream_id", tx.e2e_keys().device_list_position(req.user_id).value_or(0)},
                             {"devices", std::move(devices)}};
    auto cross_signing = client_server::served_cross_signing_keys(found, "");
    if (cross_signing["master_keys"].contains(req.user_id)) {
      answer["master_key"] = std::move(cross_signing["master_keys"][req.user_id]);
    }
    if (cross_signing["self_signing_keys"].contains(req.user_id)) {
      answer["self_signing_key"] = std::move(cross_signing["self_signing_keys"][req.user_id]);
    }
    return answer;
  });
  return json_response(answer);
}

}  // namespace ranvier::api::server_server
