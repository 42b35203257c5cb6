#pragma once
// Typing notifications (client-server API, "Typing Notifications"): who is typing in which
// room, held in memory only (they last seconds), each change numbered so /sync can tell a
// client what changed since its token.
//
// Change numbers come from one counter that starts at the wall clock in milliseconds when the
// server starts, so numbers keep growing across restarts and an old token never looks like it
// came from the future.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ranvier::rooms {

class Typing {
 public:
  using Clock = std::chrono::steady_clock;

  Typing();

  /// Starts (for `timeout`) or stops a user's typing in a room. Returns true if that changed
  /// what the room shows.
  bool set(const std::string& room_id, const std::string& user_id, bool typing, std::chrono::milliseconds timeout,
           Clock::time_point now = Clock::now());

  /// Ends every typing whose time ran out; true if any did.
  bool expire(Clock::time_point now = Clock::now());

  /// The users typing in a room, sorted.
  std::vector<std::string> typing_in(const std::string& room_id) const;

  /// The change number of the room's latest change (0 if none since start).
  std::int64_t room_position(const std::string& room_id) const;

  /// The latest change number of any room.
  std::int64_t position() const;

  /// The rooms whose latest change is numbered after `after`, with that number.
  std::vector<std::pair<std::string, std::int64_t>> rooms_changed_since(std::int64_t after) const;

 private:
  std::int64_t next_position();  // mutex held

  mutable std::mutex mutex_;
  std::int64_t position_;
  std::map<std::string, std::map<std::string, Clock::time_point>> rooms_;
  std::map<std::string, std::int64_t> room_positions_;
};

}  // namespace ranvier::rooms
