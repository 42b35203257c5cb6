#pragma once
// Joining a room this server is not in (client-server API, "Joining rooms"; server-server API,
// "Joining Rooms"): one of the room's servers gives a join template (make_join), this server
// fills it in and signs it, the resident server accepts it and answers with the room's state
// and auth chain (send_join), which are verified, stored as outliers, and become the state
// before the join — all through the same receive path as any federated event.

#include "api/context.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ranvier::api::client_server {

/// Where a room can be joined from: the room ID and the servers to ask, in order.
struct RemoteRoom {
  std::string room_id;
  std::vector<std::string> servers;
};

/// Resolves an alias of another server through its directory (GET /query/directory).
/// M_NOT_FOUND when the server does not know it or cannot be reached.
RemoteRoom resolve_remote_alias(RequestContext& ctx, const std::string& alias);

/// Joins `user_id` (local) to `room.room_id` through the first of `room.servers` that lets
/// it, with `member_content` (display name, avatar, reason) in the join event. Throws
/// MatrixError: M_NOT_FOUND when no server could be asked or none knows the room,
/// M_FORBIDDEN when refused, M_INCOMPATIBLE_ROOM_VERSION for a room version we lack.
void join_remote_room(RequestContext& ctx, const RemoteRoom& room, const std::string& user_id,
                      const nlohmann::json& member_content);

}  // namespace ranvier::api::client_server
