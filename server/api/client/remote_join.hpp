#pragma once
// Joining a room this server is not in (client-server API, "Joining rooms"; server-server API,
// "Joining Rooms"): one of the room's servers gives a join template (make_join), this server
// fills it in and signs it, the resident server accepts it and answers with the room's state
// and auth chain (send_join), which are verified, stored as outliers, and become the state
// before the join — all through the same receive path as any federated event.

#include "api/context.hpp"
#include "api/errors.hpp"
#include "core/room_version.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::federation {
class FederationClient;
struct FederationError;
}

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

// Shared by the other membership changes that go through a room's servers (remote_membership).

/// The federation client; M_NOT_FOUND when this server does not federate.
federation::FederationClient& federation_client_of(RequestContext& ctx);

/// A failed make_*/send_* request as the client's error: M_INCOMPATIBLE_ROOM_VERSION,
/// M_FORBIDDEN for a refusal (naming `what` was refused), M_NOT_FOUND when unreachable.
MatrixError remote_refusal(const federation::FederationError& error, std::string_view what);

/// `?ver=1&ver=2…`: every room version this server implements (make_join/make_knock).
std::string supported_versions_query();

/// The servers to ask, without this one and without repeats, in the given order.
std::vector<std::string> remote_candidates(const std::vector<std::string>& servers, const std::string& own);

/// A member event from a make_join, make_leave or make_knock template, completed (content,
/// origin, timestamp), signed by this server and named.
struct SignedMembership {
  const core::RoomVersion* version = nullptr;
  std::string event_id;
  nlohmann::json event;
};

/// Completes the template in a make_* `answer`; nullopt unless it is the `membership` event of
/// `user_id` about themself in `room_id` of a known room version (nothing else is ours to sign).
/// `member_content` adds to the template's content (display name, reason).
std::optional<SignedMembership> sign_membership_template(RequestContext& ctx, const nlohmann::json& answer,
                                                         const std::string& room_id, const std::string& user_id,
                                                         const std::string& membership,
                                                         const nlohmann::json& member_content);

/// Stamps `event` (origin, origin_server_ts), signs it as this server and names it (a random
/// ID in room versions 1 and 2, the reference hash after).
SignedMembership sign_as_own(RequestContext& ctx, const core::RoomVersion& version, nlohmann::json event);

}  // namespace ranvier::api::client_server
