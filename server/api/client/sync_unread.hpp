#pragma once
// The unread counts of /sync's joined rooms (client-server API, "Receiving notifications",
// "Threading: unread counts"): `unread_notifications`, and per thread in
// `unread_thread_notifications` when the timeline filter asks for them.

#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace ranvier::api::client_server {

/// One user's unread counts in their joined rooms, read in one query.
class UnreadCounts {
 public:
  UnreadCounts(storage::ReadTx& tx, const std::string& user_id);

  /// Sets `unread_notifications` of a joined room's JSON (the room's total, or the main timeline
  /// only when `per_thread`) and, when `per_thread`, `unread_thread_notifications` for threads
  /// with unread notifications.
  void add_to(nlohmann::json& room, const std::string& room_id, bool per_thread) const;

 private:
  std::map<std::pair<std::string, std::string>, storage::UnreadCount> counts_;
};

/// Loads the counts on first use into `slot`, then adds them to `room` (the one call /sync makes).
void add_unread_counts(storage::ReadTx& tx, std::optional<UnreadCounts>& slot, const std::string& user_id,
                       const std::string& room_id, bool per_thread, nlohmann::json& room);

}  // namespace ranvier::api::client_server
