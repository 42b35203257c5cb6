// GET /_matrix/federation/v1/hierarchy/{roomId} (server-server API, "Spaces"):
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1hierarchyroomid
// A space and its children as far as the requesting server could peek into or join them; no
// pagination (the requesting server filters for its user).

#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "rooms/history_visibility.hpp"
#include "rooms/room_summary.hpp"
#include "rooms/state_content.hpp"

namespace ranvier::api::server_server {
namespace {

/// A room this server is in, by ID.
std::optional<storage::Room> local_room(storage::ReadTx& tx, const std::string& room_id) {
  auto room = tx.rooms().get(room_id);
  if (!room || tx.rooms().forward_extremities(room_id).empty()) {
    return std::nullopt;
  }
  return room;
}

/// The requesting server could peek into the room or have its users join it: it is in it, the
/// room is world-readable, or its join rule lets outsiders ask (restricted rooms are listed with
/// their allowed rooms for the requesting server to judge).
bool peekable_or_joinable(storage::ReadTx& tx, const std::string& room_id, std::string_view origin) {
  try {
    check_server_acl(tx, room_id, origin);
  } catch (const MatrixError&) {
    return false;
  }
  const auto rule = rooms::current_state_string(tx, room_id, "m.room.join_rules", "join_rule").value_or("invite");
  return rule == "public" || rule == "knock" || rule == "restricted" || rule == "knock_restricted" ||
         rooms::current_history_visibility(tx, room_id) == "world_readable" || server_in_room(tx, room_id, origin);
}

}  // namespace

ApiResponse getSpaceHierarchy(RequestContext& ctx, const GetSpaceHierarchyRequest& req) {
  const auto& origin = origin_of(ctx);
  const bool suggested_only = req.suggested_only.value_or(false);
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto space = local_room(tx, req.room_id);
    if (!space || !peekable_or_joinable(tx, req.room_id, origin)) {
      throw MatrixError(ErrCode::not_found, "No room " + req.room_id + " to show here");
    }
    auto summary = rooms::room_summary(tx, *space);
    auto children_state = nlohmann::json::array();
    auto children = nlohmann::json::array();
    auto inaccessible = nlohmann::json::array();
    for (const auto& [key, event_id] : tx.rooms().current_state_of_type(req.room_id, "m.space.child")) {
      auto row = tx.events().get_row(event_id);
      auto pdu = row ? nlohmann::json::parse(row->json, nullptr, false) : nlohmann::json();
      const auto content = pdu.is_object() ? pdu.value("content", nlohmann::json::object()) : nlohmann::json();
      // A child needs a non-empty `via` (client-server API, "m.space.child").
      const auto via = content.is_object() ? content.value("via", nlohmann::json()) : nlohmann::json();
      if (!via.is_array() || via.empty() || (suggested_only && content.value("suggested", false) != true)) {
        continue;
      }
      children_state.push_back({{"type", "m.space.child"},
                                {"state_key", key.state_key},
                                {"sender", row->sender},
                                {"content", content},
                                {"origin_server_ts", row->origin_server_ts}});
      if (auto child = local_room(tx, key.state_key)) {
        if (peekable_or_joinable(tx, key.state_key, origin)) {
          children.push_back(rooms::room_summary(tx, *child));
        } else {
          inaccessible.push_back(key.state_key);
        }
      }
    }
    summary["children_state"] = std::move(children_state);
    return nlohmann::json{{"room", std::move(summary)}, {"children", children}, {"inaccessible_children", inaccessible}};
  });
  return json_response(body);
}

}  // namespace ranvier::api::server_server
