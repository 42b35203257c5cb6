// GET/PUT/DELETE /_matrix/client/v3/devices[/{deviceId}], POST /_matrix/client/v3/delete_devices
// Spec: client-server API, "Device management". Deleting devices needs the password again
// (user-interactive auth); a deleted device's access tokens stop working at once, and its keys
// are gone. Renames and deletions are device-list changes (other users see display names in
// /keys/query), which wake waiting /sync requests.

#include "api/client/device_lists.hpp"
#include "api/client/room_access.hpp"
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

nlohmann::json device_json(const storage::Device& d) {
  nlohmann::json out{{"device_id", d.device_id}};
  if (d.display_name) {
    out["display_name"] = *d.display_name;
  }
  if (d.last_seen_ts) {
    out["last_seen_ts"] = *d.last_seen_ts;
  }
  if (d.last_seen_ip) {
    out["last_seen_ip"] = *d.last_seen_ip;
  }
  return out;
}

}  // namespace

ApiResponse getDevices(RequestContext& ctx, const GetDevicesRequest& req) {
  const auto& user_id = ctx.principal->user_id;
  auto devices = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.devices().list(user_id); });
  auto list = nlohmann::json::array();
  for (const auto& d : devices) {
    list.push_back(device_json(d));
  }
  return json_response({{"devices", std::move(list)}});
}

ApiResponse getDevice(RequestContext& ctx, const GetDeviceRequest& req) {
  const auto& user_id = ctx.principal->user_id;
  auto device = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.devices().get(user_id, req.device_id); });
  if (!device) {
    throw MatrixError(ErrCode::not_found, "No such device");
  }
  return json_response(device_json(*device));
}

ApiResponse updateDevice(RequestContext& ctx, const UpdateDeviceRequest& req) {
  const auto& user_id = ctx.principal->user_id;
  const bool found = write_and_notify(ctx, [&](storage::WriteTx& tx) {
    if (!tx.devices().get(user_id, req.device_id)) {
      return false;
    }
    if (req.display_name) {  // absent: the name stays as it is
      tx.devices().set_display_name(user_id, req.device_id, req.display_name);
      announce_device_change(tx, ctx.services.identity.server_name, user_id, req.device_id);
    }
    return true;
  });
  if (!found) {
    throw MatrixError(ErrCode::not_found, "No such device");
  }
  return json_response(nlohmann::json::object());
}

ApiResponse deleteDevice(RequestContext& ctx, const DeleteDeviceRequest& req) {
  if (auto challenge = require_password_stage(ctx, req.auth)) {
    return std::move(*challenge);
  }
  const auto& user_id = ctx.principal->user_id;
  // Deleting a device that is already gone succeeds: the client's intent holds either way.
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    remove_device(tx, ctx.services.identity.server_name, user_id, req.device_id);
  });
  return json_response(nlohmann::json::object());
}

ApiResponse deleteDevices(RequestContext& ctx, const DeleteDevicesRequest& req) {
  if (auto challenge = require_password_stage(ctx, req.auth)) {
    return std::move(*challenge);
  }
  const auto& user_id = ctx.principal->user_id;
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    for (const auto& id : req.devices) {
      remove_device(tx, ctx.services.identity.server_name, user_id, id.get<std::string>());
    }
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
