#include "api/federation/edus.hpp"

#include "api/clock.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "api/errors.hpp"
#include "core/identifiers.hpp"
#include "rooms/presence.hpp"
#include "rooms/typing.hpp"

#include <chrono>

namespace ranvier::api::server_server {
namespace {

/// How long a remote user's typing lasts without a renewal (as Synapse).
constexpr std::chrono::seconds remote_typing_timeout{30};

bool is_user_of(const nlohmann::json& user_id, std::string_view server) {
  if (!user_id.is_string()) {
    return false;
  }
  auto parsed = core::parse_user_id(user_id.get<std::string>());
  return parsed && parsed->server_name == server;
}

/// The user is joined to the room and the room's ACL lets the origin in.
bool joined_here(storage::ReadTx& tx, const std::string& room_id, const std::string& user_id,
                 const std::string& origin) {
  auto member = tx.rooms().membership(room_id, user_id);
  if (!member || member->membership != storage::Membership::join) {
    return false;
  }
  try {
    check_server_acl(tx, room_id, origin);
  } catch (const MatrixError&) {
    return false;
  }
  return true;
}

std::string string_or(const nlohmann::json& object, const char* key, std::string fallback = "") {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

void typing(RequestContext& ctx, storage::WriteTx& tx, const std::string& origin, const nlohmann::json& content,
            AfterCommit& after) {
  const auto room_id = string_or(content, "room_id");
  const auto& user = content.contains("user_id") ? content["user_id"] : nlohmann::json();
  const auto typing = content.find("typing");
  if (!is_user_of(user, origin) || typing == content.end() || !typing->is_boolean() ||
      !joined_here(tx, room_id, user.get<std::string>(), origin)) {
    return;
  }
  after.push_back([&ctx, room_id, user_id = user.get<std::string>(), on = typing->get<bool>()] {
    ctx.services.typing.set(room_id, user_id, on, remote_typing_timeout);
  });
}

void receipts(storage::WriteTx& tx, const std::string& origin, const nlohmann::json& content) {
  for (const auto& [room_id, types] : content.items()) {
    if (!types.is_object()) {
      continue;
    }
    for (const auto& [type, users] : types.items()) {
      if (type != "m.read" || !users.is_object()) {
        continue;
      }
      for (const auto& [user_id, receipt] : users.items()) {
        if (!is_user_of(user_id, origin) || !receipt.is_object() || !joined_here(tx, room_id, user_id, origin)) {
          continue;
        }
        const auto ids = receipt.find("event_ids");
        if (ids == receipt.end() || !ids->is_array() || ids->empty() || !ids->back().is_string()) {
          continue;
        }
        const auto event_id = ids->back().get<std::string>();
        auto event = tx.events().get_row(event_id);
        if (!event || event->room_id != room_id) {
          continue;
        }
        const auto data = receipt.value("data", nlohmann::json::object());
        const auto ts = data.is_object() && data.contains("ts") && data["ts"].is_number_integer()
                            ? data["ts"].get<std::int64_t>()
                            : now_ms();
        tx.receipts().put({.room_id = room_id,
                           .user_id = user_id,
                           .receipt_type = type,
                           .thread_id = data.is_object() ? string_or(data, "thread_id") : "",
                           .event_id = event_id,
                           .ts = ts});
      }
    }
  }
}

void presence(RequestContext& ctx, const std::string& origin, const nlohmann::json& content, AfterCommit& after) {
  const auto push = content.find("push");
  if (push == content.end() || !push->is_array()) {
    return;
  }
  for (const auto& update : *push) {
    if (!update.is_object() || !update.contains("user_id") || !is_user_of(update["user_id"], origin)) {
      continue;
    }
    const auto state = string_or(update, "presence");
    if (state != "online" && state != "unavailable" && state != "offline") {
      continue;
    }
    std::optional<std::string> status;
    if (update.contains("status_msg") && update["status_msg"].is_string()) {
      status = update["status_msg"].get<std::string>();
    }
    std::int64_t ago = 0;
    if (update.contains("last_active_ago") && update["last_active_ago"].is_number_integer()) {
      ago = std::max<std::int64_t>(0, update["last_active_ago"].get<std::int64_t>());
    }
    after.push_back([&ctx, user_id = update["user_id"].get<std::string>(), state, status, at = now_ms() - ago] {
      ctx.services.presence.set(user_id, state, status, at);
    });
  }
}

void direct_to_device(RequestContext& ctx, storage::WriteTx& tx, const std::string& origin,
                      const nlohmann::json& content) {
  const auto sender = content.contains("sender") ? content["sender"] : nlohmann::json();
  const auto type = string_or(content, "type");
  const auto messages = content.find("messages");
  if (!is_user_of(sender, origin) || type.empty() || messages == content.end() || !messages->is_object()) {
    return;
  }
  const auto& own = ctx.services.identity.server_name;
  for (const auto& [user_id, devices] : messages->items()) {
    if (!is_user_of(user_id, own) || !devices.is_object()) {
      continue;
    }
    for (const auto& [device_id, message] : devices.items()) {
      if (!message.is_object()) {
        continue;
      }
      std::vector<std::string> targets;
      if (device_id == "*") {
        for (const auto& device : tx.devices().list(user_id)) {
          targets.push_back(device.device_id);
        }
      } else if (tx.devices().get(user_id, device_id)) {
        targets.push_back(device_id);
      }
      const auto text = message.dump();
      for (const auto& target : targets) {
        tx.to_device().enqueue(
            {.user_id = user_id, .device_id = target, .sender = sender.get<std::string>(), .type = type, .content = text});
      }
    }
  }
}

/// m.device_list_update and m.signing_key_update: this server keeps no copy of other servers'
/// device lists (a client's /keys/query always asks the user's server), so an update only has
/// to reach the /sync `device_lists.changed` of the local users sharing a room with the user,
/// whose clients then query the keys again. Updates about users no local room knows are dropped.
void device_list_update(storage::WriteTx& tx, const std::string& origin, const nlohmann::json& content) {
  const auto user = content.find("user_id");
  if (user == content.end() || !is_user_of(*user, origin)) {
    return;
  }
  const auto user_id = user->get<std::string>();
  if (tx.rooms().rooms_for_user(user_id, storage::Membership::join).empty()) {
    return;
  }
  tx.e2e_keys().mark_device_list_changed(user_id);
}

}  // namespace

void apply_edu(RequestContext& ctx, storage::WriteTx& tx, const std::string& origin, const nlohmann::json& edu,
               AfterCommit& after) {
  if (!edu.is_object() || !edu.contains("content") || !edu["content"].is_object()) {
    return;
  }
  const auto kind = string_or(edu, "edu_type");
  const auto& content = edu["content"];
  if (kind == "m.typing") {
    typing(ctx, tx, origin, content, after);
  } else if (kind == "m.receipt") {
    receipts(tx, origin, content);
  } else if (kind == "m.presence") {
    presence(ctx, origin, content, after);
  } else if (kind == "m.direct_to_device") {
    direct_to_device(ctx, tx, origin, content);
  } else if (kind == "m.device_list_update" || kind == "m.signing_key_update") {
    device_list_update(tx, origin, content);
  }
}

}  // namespace ranvier::api::server_server
