#pragma once
// Membership changes that go through other servers (server-server API, "Inviting to a room",
// "Leaving Rooms (Rejecting Invites)", "Knocking upon a room"):
//
//   invite   a user of another server: the invite is built and checked here, countersigned by
//            the invitee's server (PUT /v2/invite), then persisted and sent to the room.
//   leave    a room this server holds no part of (an invite or knock received over federation):
//            make_leave/send_leave through the room's servers; the leave is kept out of band.
//   knock    a room this server is not in: make_knock/send_knock; the knock and the room's
//            stripped state are kept out of band until someone lets the user in.
//
// Out of band, as for invites received over federation: the member event is stored as an
// outlier (no place in the DAG here) and the user's membership row points at it.

#include "api/client/remote_join.hpp"
#include "api/context.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ranvier::api::client_server {

/// Invites `invitee`, a user of another server, to `room_id` in the caller's name with
/// `content` (membership invite, reason, is_direct). Nothing is stored unless the invitee's
/// server accepts: M_FORBIDDEN when it refuses or answers with another event, M_UNKNOWN (500)
/// when it cannot be reached; RoomError when the room's auth rules refuse the invite here.
void invite_remote_user(RequestContext& ctx, const std::string& room_id, const std::string& invitee,
                        const nlohmann::json& content);

/// invite_remote_user in the name of `sender`, a user of this server (a third-party invite
/// exchanged for its invitee's server is sent by the user who made it).
void invite_remote_user_as(RequestContext& ctx, const std::string& sender, const std::string& room_id,
                           const std::string& invitee, const nlohmann::json& content);

/// True when this server holds none of the room's DAG: it knows the room, if at all, through
/// an invite or knock received over federation, so its users' leaves and knocks go elsewhere.
bool known_out_of_band(storage::ReadTx& tx, const std::string& room_id);

/// The servers that can take `user_id`'s leave from a room known out of band: the server that
/// sent the invite, the servers of the stripped state's senders, and (room versions before 12)
/// the room ID's server.
std::vector<std::string> out_of_band_servers(storage::ReadTx& tx, const std::string& room_id,
                                             const std::string& user_id);

/// Leaves (rejects the invite to, or withdraws the knock on) `room.room_id` through the first
/// of `room.servers` that takes the leave; the user's membership becomes `leave`. M_NOT_FOUND
/// when no server could be reached, M_FORBIDDEN when refused.
void leave_remote_room(RequestContext& ctx, const RemoteRoom& room, const std::string& user_id,
                       const std::optional<std::string>& reason);

/// Knocks on `room.room_id` through the first of `room.servers` that takes the knock, with
/// `member_content` (display name, reason); the user's membership becomes `knock` and the room's
/// stripped state (`knock_room_state`) is kept with the knock for /sync. Errors as for joins.
void knock_remote_room(RequestContext& ctx, const RemoteRoom& room, const std::string& user_id,
                       const nlohmann::json& member_content);

}  // namespace ranvier::api::client_server
