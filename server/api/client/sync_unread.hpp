#pragma once
// The unread counts of /sync's joined rooms (client-server API, "Receiving notifications",
// "Threading: unread counts"): `unread_notifications`, and per thread in
// `unread_thread_notifications` when the timeline filter asks for them.

#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <span>
#include <string>
#include <utility>

namespace ranvier::api::client_server {

/// One user's unread counts in some of their joined rooms, read in one query.
class UnreadCounts {
 public:
  /// Reads the counts of `room_ids` (rooms the user is joined to).
  UnreadCounts(storage::ReadTx& tx, const std::string& user_id, std::span<const std::string> room_ids);

  /// Sets `unread_notifications` of a joined room's JSON (the room's total, or the main timeline
  /// only when `per_thread`) and, when `per_thread`, `unread_thread_notifications` for threads
  /// with unread notifications.
  void add_to(nlohmann::json& room, const std::string& room_id, bool per_thread) const;

 private:
  std::map<std::pair<std::string, std::string>, storage::UnreadCount> counts_;
};

/// Adds the counts to each room of /sync's `rooms.join` section (room ID → room JSON), reading
/// only the rooms it holds: a wake-up for one room's event does not count every joined room.
void add_unread_counts(storage::ReadTx& tx, const std::string& user_id, bool per_thread, nlohmann::json& joined);

}  // namespace ranvier::api::client_server
