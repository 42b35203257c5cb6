// PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId} (client-server API, "Send-to-Device
// messaging"): messages queued per recipient device, delivered in /sync's `to_device` and
// deleted once the device's next /sync acknowledges them. Messages for users of other servers
// go to each server as one m.direct_to_device EDU (server-server API, "Send-to-device
// messaging"), queued in the same transaction.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "core/base64.hpp"
#include "core/identifiers.hpp"
#include "core/sha256.hpp"
#include "rooms/federation_fanout.hpp"

#include <map>

namespace ranvier::api::client_server {

ApiResponse sendToDevice(RequestContext& ctx, const SendToDeviceRequest& req) {
  const auto& principal = *ctx.principal;
  if (!req.messages.is_object()) {
    throw MatrixError(ErrCode::bad_json, "messages must be an object");
  }
  for (const auto& [user_id, devices] : req.messages.items()) {
    if (!core::parse_user_id(user_id)) {
      throw MatrixError(ErrCode::invalid_param, "Not a valid user ID: " + user_id);
    }
    if (!devices.is_object()) {
      throw MatrixError(ErrCode::bad_json, "messages." + user_id + " must be an object");
    }
    for (const auto& [device_id, content] : devices.items()) {
      if (!content.is_object()) {
        throw MatrixError(ErrCode::bad_json, "Each message must be an object");
      }
    }
  }
  const std::string& txn_key = ctx.request.path;
  const std::string digest = core::base64_encode(core::as_bytes(core::sha256(ctx.request.body)));
  const std::string suffix = ":" + ctx.services.identity.server_name;
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    // A retried request (same device, same path) is not delivered twice.
    if (tx.rooms().transaction(principal.user_id, principal.device_id, txn_key)) {
      return;
    }
    std::map<std::string, nlohmann::json> remote;
    for (const auto& [user_id, devices] : req.messages.items()) {
      if (!user_id.ends_with(suffix)) {
        remote[std::string(core::server_name_of(user_id))][user_id] = devices;
        continue;
      }
      for (const auto& [device_id, content] : devices.items()) {
        std::vector<std::string> targets;
        if (device_id == "*") {
          for (const auto& device : tx.devices().list(user_id)) {
            targets.push_back(device.device_id);
          }
        } else if (tx.devices().get(user_id, device_id)) {
          targets.push_back(device_id);
        }
        const std::string text = content.dump();
        for (const auto& target : targets) {
          tx.to_device().enqueue({.user_id = user_id, .device_id = target, .sender = principal.user_id,
                                  .type = req.event_type, .content = text});
        }
      }
    }
    for (auto& [server, messages] : remote) {
      // Unique per sending device, request and destination, so a receiver can drop a repeat.
      const auto message_id = core::base64_encode(core::as_bytes(
          core::sha256(principal.user_id + "\n" + principal.device_id + "\n" + txn_key + "\n" + server)));
      rooms::queue_edu(tx, {server},
                       {{"edu_type", "m.direct_to_device"},
                        {"content",
                         {{"sender", principal.user_id},
                          {"type", req.event_type},
                          {"message_id", message_id},
                          {"messages", std::move(messages)}}}});
    }
    tx.rooms().record_transaction({principal.user_id, principal.device_id, txn_key, "", "", digest});
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
