// GET /rooms/{roomId}/state, GET and PUT /rooms/{roomId}/state/{eventType}/{stateKey}
// (client-server API, "Getting events for a room", "Sending events to a room").
// Members read the current state; former members the state as of their leaving; anyone a
// world-readable room's current state.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "core/identifiers.hpp"
#include "rooms/history_visibility.hpp"

namespace ranvier::api::client_server {
namespace {

/// The state the caller may read.
storage::StateMap readable_state(storage::ReadTx& tx, const std::string& room_id, const std::string& user_id) {
  room_version(tx, room_id);
  auto member = tx.rooms().membership(room_id, user_id);
  if (member && member->membership == storage::Membership::join) {
    return tx.rooms().current_state(room_id);
  }
  if (member && (member->membership == storage::Membership::leave || member->membership == storage::Membership::ban)) {
    if (auto group = tx.state().event_state_group(member->event_id)) {
      return tx.state().state_map(*group);
    }
  }
  if (rooms::current_history_visibility(tx, room_id) == "world_readable") {
    return tx.rooms().current_state(room_id);
  }
  throw MatrixError(ErrCode::forbidden, user_id + " is not in the room " + room_id);
}

}  // namespace

ApiResponse getRoomState(RequestContext& ctx, const GetRoomStateRequest& req) {
  auto events = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto state = readable_state(tx, req.room_id, ctx.principal->user_id);
    const auto& version = room_version(tx, req.room_id);
    std::vector<std::string> ids;
    for (const auto& [key, id] : state) {
      ids.push_back(id);
    }
    auto list = nlohmann::json::array();
    for (const auto& event : tx.events().get_many(ids)) {
      list.push_back(serve_event(tx, event, version));
    }
    return list;
  });
  return json_response(events);
}

ApiResponse getRoomStateWithKey(RequestContext& ctx, const GetRoomStateWithKeyRequest& req) {
  auto event = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto state = readable_state(tx, req.room_id, ctx.principal->user_id);
    auto it = state.find({req.event_type, req.state_key});
    std::optional<nlohmann::json> found;
    if (it != state.end()) {
      if (auto stored = tx.events().get_row(it->second)) {
        found = serve_event(tx, *stored, room_version(tx, req.room_id));
      }
    }
    return found;
  });
  if (!event) {
    throw MatrixError(ErrCode::not_found, "The room has no " + req.event_type + " state with that key");
  }
  if (req.format.value_or("content") == "event") {
    return json_response(*event);
  }
  return json_response((*event)["content"]);
}

namespace {

/// m.room.canonical_alias may only name well-formed aliases that point at the room (Synapse's
/// rule, which clients rely on so that a room's published alias leads back to it).
void check_canonical_alias(storage::ReadTx& tx, const std::string& room_id, const nlohmann::json& content) {
  std::vector<std::string> aliases;
  auto take = [&](const nlohmann::json& value) {
    if (!value.is_string() || !core::is_valid_room_alias(value.get<std::string>())) {
      throw MatrixError(ErrCode::invalid_param, "Not a valid room alias: " + value.dump());
    }
    aliases.push_back(value.get<std::string>());
  };
  if (content.contains("alias") && !content["alias"].is_null()) {
    take(content["alias"]);
  }
  if (content.contains("alt_aliases")) {
    if (!content["alt_aliases"].is_array()) {
      throw MatrixError(ErrCode::invalid_param, "alt_aliases must be a list of aliases");
    }
    for (const auto& alias : content["alt_aliases"]) {
      take(alias);
    }
  }
  for (const auto& alias : aliases) {
    auto found = tx.rooms().alias(alias);
    if (!found || found->room_id != room_id) {
      throw MatrixError(ErrCode::bad_alias, alias + " does not point to this room");
    }
  }
}

/// Spec: "Guest Access" → "Server behaviour": once guests may no longer join, the guests in the
/// room leave it (each with their own leave event, in the same transaction).
void remove_guests(RequestContext& ctx, storage::WriteTx& tx, const std::string& room_id) {
  for (const auto& member : tx.rooms().members(room_id, storage::Membership::join)) {
    auto account = tx.accounts().get(member.user_id);
    if (!account || !account->is_guest) {
      continue;
    }
    rooms::EventDraft leave{.type = "m.room.member", .sender = member.user_id, .state_key = member.user_id,
                            .content = {{"membership", "leave"}}};
    ctx.services.pipeline.send(tx, room_id, leave);
  }
}

}  // namespace

ApiResponse setRoomStateWithKey(RequestContext& ctx, const SetRoomStateWithKeyRequest& req) {
  if (!req.body.is_object()) {
    throw MatrixError(ErrCode::bad_json, "The state content must be an object");
  }
  auto sent = write_and_notify(ctx, [&](storage::WriteTx& tx) {
    room_version(tx, req.room_id);
    if (req.event_type == "m.room.canonical_alias" && req.state_key.empty()) {
      check_canonical_alias(tx, req.room_id, req.body);
    }
    rooms::EventDraft draft{.type = req.event_type, .sender = ctx.principal->user_id, .state_key = req.state_key,
                            .content = req.body};
    auto sent = ctx.services.pipeline.send(tx, req.room_id, draft);
    if (req.event_type == "m.room.guest_access" && req.state_key.empty() &&
        req.body.value("guest_access", "") != "can_join") {
      remove_guests(ctx, tx, req.room_id);
    }
    return sent;
  });
  return json_response({{"event_id", sent.event_id}});
}

}  // namespace ranvier::api::client_server
