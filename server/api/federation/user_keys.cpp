// POST /_matrix/federation/v1/user/keys/query and /user/keys/claim (server-server API,
// "End-to-End Encryption", https://spec.matrix.org/latest/server-server-api/#end-to-end-encryption):
// other servers download this server's users' device and cross-signing keys, and claim their
// one-time keys (a fallback key when a device has none left), each handed out once.

#include "api/client/local_keys.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/federation/local_users.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "rooms/notifier.hpp"

#include <map>
#include <set>

namespace ranvier::api::server_server {

ApiResponse queryUserEncryptionKeys(RequestContext& ctx, const QueryUserEncryptionKeysRequest& req) {
  origin_of(ctx);
  if (!req.device_keys.is_object()) {
    throw MatrixError(ErrCode::bad_json, "device_keys must be an object");
  }
  std::vector<std::string> users;
  std::map<std::string, std::set<std::string>> only;
  for (const auto& [user_id, devices] : req.device_keys.items()) {
    check_local_user(ctx, user_id);
    if (!devices.is_array()) {
      throw MatrixError(ErrCode::bad_json, "device_keys." + user_id + " must be a list of device IDs");
    }
    for (const auto& device : devices) {
      if (!device.is_string()) {
        throw MatrixError(ErrCode::bad_json, "Device IDs must be strings");
      }
      only[user_id].insert(device.get<std::string>());
    }
    users.push_back(user_id);
  }
  const auto found =
      ctx.services.database.read([&](storage::ReadTx& tx) { return client_server::find_local_keys(tx, users); });
  nlohmann::json device_keys = nlohmann::json::object();
  for (const auto& user : users) {
    device_keys[user] = nlohmann::json::object();
  }
  for (const auto& device : found.devices) {
    const auto wanted = only.find(device.user_id);
    if (wanted != only.end() && !wanted->second.contains(device.device_id)) {
      continue;
    }
    device_keys[device.user_id][device.device_id] = client_server::served_device_keys(device, found.signatures, "");
  }
  auto cross_signing = client_server::served_cross_signing_keys(found, "");
  return json_response({{"device_keys", std::move(device_keys)},
                        {"master_keys", std::move(cross_signing["master_keys"])},
                        {"self_signing_keys", std::move(cross_signing["self_signing_keys"])}});
}

ApiResponse claimUserEncryptionKeys(RequestContext& ctx, const ClaimUserEncryptionKeysRequest& req) {
  origin_of(ctx);
  if (!req.one_time_keys.is_object()) {
    throw MatrixError(ErrCode::bad_json, "one_time_keys must be an object");
  }
  std::vector<client_server::WantedKey> wanted;
  for (const auto& [user_id, devices] : req.one_time_keys.items()) {
    check_local_user(ctx, user_id);
    if (!devices.is_object()) {
      throw MatrixError(ErrCode::bad_json, "one_time_keys." + user_id + " must map devices to algorithms");
    }
    for (const auto& [device_id, algorithm] : devices.items()) {
      if (!algorithm.is_string()) {
        throw MatrixError(ErrCode::bad_json, "Each device maps to an algorithm name");
      }
      wanted.emplace_back(user_id, device_id, algorithm.get<std::string>());
    }
  }
  auto claimed = ctx.services.database.write(
      [&](storage::WriteTx& tx) { return client_server::claim_local_keys(tx, wanted); });
  // The owners' /sync shows their one-time key counts going down.
  ctx.services.notifier.notify();
  return json_response({{"one_time_keys", std::move(claimed)}});
}

}  // namespace ranvier::api::server_server
