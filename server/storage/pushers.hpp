#pragma once
// Pushers (client-server API, "Push Notifications: Pushers"): where a user's notifications are
// sent. A pusher is identified by (user, app_id, pushkey) and belongs to the device that
// created it; deleting the device deletes it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

struct Pusher {
  std::string user_id;
  std::string app_id;
  std::string pushkey;
  std::string device_id;
  /// "http" or "email".
  std::string kind;
  std::string app_display_name;
  std::string device_display_name;
  std::optional<std::string> profile_tag;
  std::string lang;
  /// The `data` object, JSON text.
  std::string data;
  std::int64_t created_ts = 0;

  bool operator==(const Pusher&) const = default;
};

class PusherReads {
 public:
  virtual ~PusherReads() = default;
  /// The user's pushers, by app_id then pushkey.
  virtual std::vector<Pusher> list(std::string_view user_id) = 0;
};

class PusherStore : public PusherReads {
 public:
  /// Creates the pusher or replaces the one with the same user, app_id and pushkey. The
  /// device must exist (ErrorKind::constraint otherwise).
  virtual void put(const Pusher& pusher) = 0;
  /// Deletes one pusher of the user; false if there was none.
  virtual bool remove(std::string_view user_id, std::string_view app_id, std::string_view pushkey) = 0;
  /// Deletes the pushers with this app_id and pushkey that belong to other users (a pushkey
  /// moves to the user who set it last unless `append` is given). Returns how many.
  virtual std::int64_t remove_for_others(std::string_view app_id, std::string_view pushkey,
                                         std::string_view user_id) = 0;
};

}  // namespace ranvier::storage
