#pragma once
// Who may see which events of a room (client-server API, "Room History Visibility"): the
// `m.room.history_visibility` and the user's membership in the state at each event decide,
// with the user's current membership for `shared`.

#include "storage/database.hpp"

#include <optional>
#include <string>

namespace ranvier::rooms {

/// Answers "may this user see this event?" for one user and room, caching what it reads.
class HistoryVisibility {
 public:
  HistoryVisibility(storage::ReadTx& tx, std::string room_id, std::string user_id);

  /// True if the user may see `event` (an event of this room).
  bool may_see(const storage::StoredEvent& event);

  /// True if the user may read the room at all now: a member, a past member, or a
  /// world-readable room.
  bool may_read_room();

  /// The user's current membership, if any.
  const std::optional<storage::RoomMember>& membership() const { return membership_; }

 private:
  storage::ReadTx& tx_;
  std::string room_id_;
  std::string user_id_;
  std::optional<storage::RoomMember> membership_;
};

/// The room's `history_visibility` in the current state ("shared" when unset).
std::string current_history_visibility(storage::ReadTx& tx, const std::string& room_id);

}  // namespace ranvier::rooms
