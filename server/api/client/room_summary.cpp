// GET /_matrix/client/v1/room_summary/{roomIdOrAlias} (client-server API, "Room summary"):
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1room_summaryroomidoralias
// A room's summary for someone deciding whether to join it. The access token is optional
// (spec: servers MAY answer unauthenticated requests for public, knockable or world-readable
// rooms); rooms the caller may not preview are answered like unknown ones, 404, so that
// private rooms cannot be probed. Rooms this server is not in are asked of the servers in
// `via` (server-server GET /hierarchy), as Synapse does.

#include "api/client/remote_join.hpp"
#include "api/client/room_preview.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "rooms/room_summary.hpp"

namespace ranvier::api::client_server {
namespace {

/// The room ID behind the path parameter and the servers that may know the room.
RemoteRoom resolve(RequestContext& ctx, const GetRoomSummaryRequest& req) {
  RemoteRoom room{req.room_id_or_alias, req.via};
  if (req.room_id_or_alias.starts_with("#")) {
    auto local = ctx.services.database.read(
        [&](storage::ReadTx& tx) { return tx.rooms().alias(req.room_id_or_alias); });
    if (local) {
      room.room_id = local->room_id;
    } else {
      auto remote = resolve_remote_alias(ctx, req.room_id_or_alias);
      room.room_id = remote.room_id;
      room.servers.insert(room.servers.end(), remote.servers.begin(), remote.servers.end());
    }
  }
  if (auto colon = room.room_id.find(':'); colon != std::string::npos) {
    room.servers.push_back(room.room_id.substr(colon + 1));
  }
  return room;
}

}  // namespace

ApiResponse getRoomSummary(RequestContext& ctx, const GetRoomSummaryRequest& req) {
  std::optional<std::string> user_id;
  if (ctx.principal) {
    user_id = ctx.principal->user_id;
  }
  const auto room = resolve(ctx, req);
  auto not_found = [&] { return MatrixError(ErrCode::not_found, "Room not found: " + req.room_id_or_alias); };

  auto local = ctx.services.database.read([&](storage::ReadTx& tx) -> std::optional<nlohmann::json> {
    auto stored = tx.rooms().get(room.room_id);
    if (!stored || tx.rooms().forward_extremities(room.room_id).empty()) {
      return std::nullopt;
    }
    return rooms::room_summary(tx, *stored);
  });
  nlohmann::json summary;
  if (local) {
    summary = std::move(*local);
  } else {
    auto answer = fetch_remote_hierarchy(ctx, room.room_id, room.servers, false);
    if (!answer) {
      throw not_found();
    }
    summary = (*answer)["room"];
    summary.erase("children_state");
  }
  Viewer viewer;
  const bool allowed = ctx.services.database.read([&](storage::ReadTx& tx) {
    viewer = viewer_of(tx, user_id, room.room_id);
    return may_preview(tx, summary, viewer);
  });
  if (!allowed) {
    throw not_found();
  }
  if (user_id) {
    summary["membership"] = std::string(storage::to_string(viewer.membership.value_or(storage::Membership::leave)));
  }
  return json_response(summary);
}

}  // namespace ranvier::api::client_server
