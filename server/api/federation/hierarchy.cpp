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
    auto children_state = rooms::space_children_state(tx, req.room_id, suggested_only);
    auto children = nlohmann::json::array();
    auto inaccessible = nlohmann::json::array();
    for (const auto& child_event : children_state) {
      const auto child_id = child_event["state_key"].get<std::string>();
      if (auto child = local_room(tx, child_id)) {
        if (peekable_or_joinable(tx, child_id, origin)) {
          children.push_back(rooms::room_summary(tx, *child));
        } else {
          inaccessible.push_back(child_id);
        }
      }
    }
    summary["children_state"] = std::move(children_state);
    return nlohmann::json{{"room", std::move(summary)}, {"children", children}, {"inaccessible_children", inaccessible}};
  });
  return json_response(body);
}

}  // namespace ranvier::api::server_server
