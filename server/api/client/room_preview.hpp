#pragma once
// What the endpoints that show a room to someone who may not be in it share (space hierarchy,
// room summary): who may see a room's summary, and asking the room's servers for it when this
// server is not in the room (server-server API, "Spaces": GET /hierarchy).

#include "api/context.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ranvier::api::client_server {

/// A user's standing towards a room, as far as this server knows it.
struct Viewer {
  /// Absent for an unauthenticated request.
  std::optional<std::string> user_id;
  /// The user's membership in the room, if any.
  std::optional<storage::Membership> membership;
};

/// The viewer's membership in `room_id` from this server's records (which include invites
/// and knocks for rooms the server is not in).
Viewer viewer_of(storage::ReadTx& tx, const std::optional<std::string>& user_id, const std::string& room_id);

/// Spec (client-server API, GET /hierarchy, "rooms"): the summary may be shown when the viewer
/// is joined or invited, the room is public, knockable or world-readable, or it is restricted
/// and the viewer is joined to one of its `allowed_room_ids`. Banned viewers see nothing.
/// `summary` is a room summary (rooms::room_summary, or a remote server's).
bool may_preview(storage::ReadTx& tx, const nlohmann::json& summary, const Viewer& viewer);

/// The hierarchy answer of the first of `servers` (this server left out) that gives one for
/// `room_id`: `{"room": summary with children_state, "children": [...], ...}` as the
/// server-server API defines it. Nullopt when none answers with a well-formed body, or when this
/// server does not federate.
std::optional<nlohmann::json> fetch_remote_hierarchy(RequestContext& ctx, const std::string& room_id,
                                                     const std::vector<std::string>& servers, bool suggested_only);

}  // namespace ranvier::api::client_server
