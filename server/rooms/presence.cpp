#include "rooms/presence.hpp"

namespace ranvier::rooms {

Presence::Presence(std::chrono::milliseconds idle_timeout) : idle_timeout_ms_(idle_timeout.count()) {
  using namespace std::chrono;
  // Like typing: numbers keep growing across restarts, so old tokens never look like the future.
  position_ = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool Presence::change(Entry& entry, const std::string& presence, std::int64_t now_ms) {
  entry.last_seen_ts = now_ms;
  if (presence == "online") {
    entry.state.last_active_ts = now_ms;
  }
  if (entry.state.presence == presence) {
    return false;
  }
  entry.state.presence = presence;
  entry.state.position = ++position_;
  return true;
}

bool Presence::set(const std::string& user_id, const std::string& presence,
                   const std::optional<std::string>& status_msg, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto& entry = users_[user_id];
  bool changed = change(entry, presence, now_ms);
  if (entry.state.status_msg != status_msg) {
    entry.state.status_msg = status_msg;
    if (!changed) {
      entry.state.position = ++position_;
    }
    changed = true;
  }
  return changed;
}

bool Presence::synced(const std::string& user_id, const std::string& set_presence, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto& entry = users_[user_id];
  if (set_presence == "offline") {
    entry.last_seen_ts = now_ms;
    return false;
  }
  return change(entry, set_presence, now_ms);
}

std::vector<std::string> Presence::expire(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> gone;
  for (auto& [user, entry] : users_) {
    if (entry.state.presence != "offline" && now_ms - entry.last_seen_ts >= idle_timeout_ms_) {
      entry.state.presence = "offline";
      entry.state.position = ++position_;
      gone.push_back(user);
    }
  }
  return gone;
}

PresenceState Presence::get(const std::string& user_id) const {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user_id);
  return it == users_.end() ? PresenceState{} : it->second.state;
}

std::vector<std::pair<std::string, PresenceState>> Presence::changed_since(const std::vector<std::string>& user_ids,
                                                                          std::int64_t after) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, PresenceState>> changed;
  for (const auto& user : user_ids) {
    if (auto it = users_.find(user); it != users_.end() && it->second.state.position > after) {
      changed.emplace_back(user, it->second.state);
    }
  }
  return changed;
}

std::int64_t Presence::position() const {
  std::lock_guard lock(mutex_);
  return position_;
}

}  // namespace ranvier::rooms
