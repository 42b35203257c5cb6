#pragma once
// Presence (client-server API, "Presence"): online / unavailable / offline with a status
// message and the time of last activity, held in memory (a restart shows everyone offline until
// their clients sync again) and numbered like typing so /sync sends only changes.
//
// A /sync marks its user online (or what its `set_presence` says); a user with no /sync and no
// presence update for `idle_timeout` goes offline.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ranvier::rooms {

struct PresenceState {
  std::string presence = "offline";
  std::optional<std::string> status_msg{};
  /// Milliseconds since the epoch of the last activity (0: never).
  std::int64_t last_active_ts = 0;
  /// Change number of the last change.
  std::int64_t position = 0;
};

class Presence {
 public:
  explicit Presence(std::chrono::milliseconds idle_timeout = std::chrono::minutes(5));

  /// PUT /presence: the user's choice. True if it changed what others see.
  bool set(const std::string& user_id, const std::string& presence, const std::optional<std::string>& status_msg,
           std::int64_t now_ms);

  /// A /sync by the user with `set_presence` ("online", "unavailable" or "offline", which
  /// leaves the state alone). True if it changed what others see.
  bool synced(const std::string& user_id, const std::string& set_presence, std::int64_t now_ms);

  /// Users silent for the idle timeout go offline; returns them (their change is for /sync and,
  /// for this server's users, for other servers: queue_presence_of).
  std::vector<std::string> expire(std::int64_t now_ms);

  /// A user's presence (offline when never seen).
  PresenceState get(const std::string& user_id) const;

  /// The users among `user_ids` whose presence changed after `after`.
  std::vector<std::pair<std::string, PresenceState>> changed_since(const std::vector<std::string>& user_ids,
                                                                   std::int64_t after) const;

  /// The latest change number.
  std::int64_t position() const;

 private:
  struct Entry {
    PresenceState state;
    std::int64_t last_seen_ts = 0;  ///< last /sync or presence update
  };
  bool change(Entry& entry, const std::string& presence, std::int64_t now_ms);  // mutex held

  mutable std::mutex mutex_;
  std::int64_t idle_timeout_ms_;
  std::int64_t position_;
  std::map<std::string, Entry> users_;
};

}  // namespace ranvier::rooms
