#pragma once
// Pushers (client-server API, "Push Notifications: Pushers"): where a user's notifications are
// sent. A pusher is identified by (user, app_id, pushkey) and belongs to the device that
// created it; deleting the device deletes it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
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

/// A notification waiting for delivery to one pusher's push gateway.
struct QueuedPush {
  std::int64_t queue_id = 0;
  Pusher pusher;
  /// The event's stream position, ID and room, and the matched rule's actions (JSON text).
  std::int64_t stream = 0;
  std::string event_id;
  std::string room_id;
  std::string actions;
  /// Failed attempts so far.
  std::int64_t attempts = 0;

  bool operator==(const QueuedPush&) const = default;
};

class PusherReads {
 public:
  virtual ~PusherReads() = default;
  /// The user's pushers, by app_id then pushkey.
  virtual std::vector<Pusher> list(std::string_view user_id) = 0;
  /// Up to `limit` queued notifications due at `now_ts`, oldest due first.
  virtual std::vector<QueuedPush> due(std::int64_t now_ts, std::size_t limit) = 0;
  /// When the next queued notification falls due (nullopt: the queue is empty).
  virtual std::optional<std::int64_t> next_due() = 0;
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
  /// Queues the event at `stream` (which must have push actions for these users) for every
  /// http pusher of these users, due at `now_ts`. Returns the rows queued.
  virtual std::int64_t enqueue(std::int64_t stream, std::span<const std::string> user_ids, std::int64_t now_ts) = 0;
  /// Removes a queued notification (delivered, or given up on).
  virtual void finish(std::int64_t queue_id) = 0;
  /// Counts a failed attempt and makes the notification due again at `next_ts`.
  virtual void retry(std::int64_t queue_id, std::int64_t next_ts) = 0;
};

}  // namespace ranvier::storage
