#include "rooms/typing.hpp"

namespace ranvier::rooms {

Typing::Typing() {
  using namespace std::chrono;
  position_ = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t Typing::next_position() { return ++position_; }

bool Typing::set(const std::string& room_id, const std::string& user_id, bool typing,
                 std::chrono::milliseconds timeout, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& users = rooms_[room_id];
  bool changed = false;
  if (typing) {
    changed = !users.contains(user_id);
    users[user_id] = now + timeout;
  } else {
    changed = users.erase(user_id) > 0;
  }
  if (users.empty()) {
    rooms_.erase(room_id);
  }
  if (changed) {
    room_positions_[room_id] = next_position();
  }
  return changed;
}

bool Typing::expire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  bool any = false;
  for (auto room = rooms_.begin(); room != rooms_.end();) {
    bool changed = std::erase_if(room->second, [&](const auto& entry) { return entry.second <= now; }) > 0;
    if (changed) {
      room_positions_[room->first] = next_position();
      any = true;
    }
    room = room->second.empty() ? rooms_.erase(room) : std::next(room);
  }
  return any;
}

std::vector<std::string> Typing::typing_in(const std::string& room_id) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> users;
  if (auto it = rooms_.find(room_id); it != rooms_.end()) {
    for (const auto& [user, until] : it->second) {
      users.push_back(user);
    }
  }
  return users;
}

std::int64_t Typing::room_position(const std::string& room_id) const {
  std::lock_guard lock(mutex_);
  auto it = room_positions_.find(room_id);
  return it == room_positions_.end() ? 0 : it->second;
}

std::int64_t Typing::position() const {
  std::lock_guard lock(mutex_);
  return position_;
}

std::vector<std::pair<std::string, std::int64_t>> Typing::rooms_changed_since(std::int64_t after) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::int64_t>> rooms;
  for (const auto& [room_id, changed] : room_positions_) {
    if (changed > after) {
      rooms.emplace_back(room_id, changed);
    }
  }
  return rooms;
}

}  // namespace ranvier::rooms
