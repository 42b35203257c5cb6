#pragma once
// The admin operations that produce events (deactivation leaves, room shutdown, history
// purges). They run wherever the room pipeline and the /sync notifier live: inside the
// running server when an admin calls the HTTP API, or inside `ranvier admin` itself (same
// code, its own Services, no listeners) when no server runs. Never from a second process next
// to a running server: its notifier would not wake that server's /sync requests.

#include "storage/events.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ranvier::api {
struct Services;
}

namespace ranvier::api::admin {

/// What leaving rooms on someone's behalf achieved.
struct LeaveOutcome {
  std::vector<std::string> left;    ///< rooms (deactivation) or users (shutdown) that left
  std::vector<std::string> failed;  ///< the ones the auth rules or the room refused
};

/// Synapse's deactivation: no password, devices, tokens or pushers; with `erase` the profile
/// goes and the account is marked erased. Then the user leaves (or rejects) every room, one
/// transaction per room, through the pipeline, so room mates and other servers see it.
/// The caller checked the account exists.
LeaveOutcome deactivate_user(Services& services, const std::string& user_id, bool erase);

/// Sends a new join event with the user's current profile into each room they are in (after an
/// admin changed the display name or avatar), one transaction per room, as the profile
/// endpoints do. Returns the rooms where the auth rules refused it.
std::vector<std::string> refresh_member_events(Services& services, const std::string& user_id);

/// What DELETE /_synapse/admin/v2/rooms/{roomId} asks for.
struct ShutdownRequest {
  std::string requester;
  bool block = false;
  bool purge = true;
  /// When set: a new room made by this local user, with `room_name` and `message`, that the
  /// users who left are joined to.
  std::optional<std::string> new_room_user_id{};
  std::string room_name = "Content Violation Notification";
  std::string message = "Sharing illegal content on this server is not permitted and rooms in violation will be "
                        "blocked.";
};

/// Synapse's shutdown_room result (delete_status's `shutdown_room`).
struct ShutdownOutcome {
  LeaveOutcome users;
  std::vector<std::string> local_aliases;
  std::optional<std::string> new_room_id;
  std::int64_t purged_events = 0;
};

/// Shuts a room down: blocks it (if asked), makes every local member leave through the
/// pipeline, removes its local aliases and directory entry, optionally opens the new room and
/// moves the users there, and (`purge`) deletes its message history. The caller checked
/// that the room exists unless only blocking.
ShutdownOutcome shutdown_room(Services& services, const std::string& room_id, const ShutdownRequest& request);

/// Deletes the room's message events before `before` (state events and the frontier stay;
/// local senders' events only with `delete_local`), holding the room's lock. Returns how many.
std::int64_t purge_history(Services& services, const std::string& room_id, storage::TopologicalPosition before,
                           bool delete_local);

/// Every admin task answers with an ID and keeps its outcome for the status endpoints. Tasks
/// run before the answer is sent, so a status is final when first read; statuses live in this
/// process's memory (as Synapse's purge statuses did), the latest 1000, and are gone after a
/// restart.
/// record_task stores a finished task's status (with `<kind>_id` added) and returns its ID.
std::string record_task(const std::string& kind, const std::string& room_id, nlohmann::json status);
/// A task's status by ID and kind ("purge" or "delete"); M_NOT_FOUND for unknown IDs.
nlohmann::json task_status(const std::string& kind, const std::string& task_id);
/// Every status of that kind for a room, oldest first.
std::vector<nlohmann::json> room_task_statuses(const std::string& kind, const std::string& room_id);

}  // namespace ranvier::api::admin
