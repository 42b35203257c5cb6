#pragma once
// Push actions (client-server API, "Push Notifications", "Receiving notifications"): for each
// event, the local users whose push rules said `notify`, with the actions. Each user has a read
// mark per room and thread that receipts move; notifications above the marks are the unread
// counts /sync reports, and all of them are what GET /notifications lists.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// One user's outcome for one event.
struct PushAction {
  std::string user_id;
  bool highlight = false;
  /// The matched rule's actions, JSON array text.
  std::string actions;
  /// The user's ordinal in the room (PushRecipient::ordinal) when known; the store looks it up
  /// or assigns one otherwise.
  std::optional<std::int64_t> ordinal;
};

/// The event the actions belong to.
struct PushedEvent {
  std::string room_id;
  std::string event_id;
  /// "main", or the thread root's event ID for an event in a thread.
  std::string thread_id;
  std::int64_t stream = 0;
  std::int64_t ts = 0;
};

/// One stored notification of one user.
struct Notification {
  std::string room_id;
  std::string event_id;
  std::string thread_id;
  std::int64_t stream = 0;
  std::int64_t ts = 0;
  bool highlight = false;
  std::string actions;
  bool unread = true;

  bool operator==(const Notification&) const = default;
};

/// Unread notifications of a user in one thread of one room ("main" for the main timeline).
struct UnreadCount {
  std::string room_id;
  std::string thread_id;
  std::int64_t notifications = 0;
  std::int64_t highlights = 0;

  bool operator==(const UnreadCount&) const = default;
};

/// A joined member of a room, as push-rule evaluation needs it.
struct PushRecipient {
  std::string user_id;
  /// The member event that joined them, for their display name, which only a user's own rules
  /// can ask for: empty for members on the server defaults.
  std::string member_event_id;
  /// Stream position of their stored `m.push_rules` account data; nullopt: server defaults.
  std::optional<std::int64_t> rules_stream;
  /// Their number in the room's stored notification sets, once the room has notified them.
  std::optional<std::int64_t> ordinal;

  bool operator==(const PushRecipient&) const = default;
};

class NotificationReads {
 public:
  virtual ~NotificationReads() = default;
  /// Every joined member of the room (local or not), in no particular order (sorting a big
  /// room's members costs the database more than the caller needs).
  virtual std::vector<PushRecipient> recipients(std::string_view room_id) = 0;
  /// The user's unread counts per room and thread in these rooms, for rooms and threads with
  /// any. The cost grows with the unread notifications of the rooms, not with history.
  virtual std::vector<UnreadCount> unread_counts(std::string_view user_id, std::span<const std::string> room_ids) = 0;
  /// Up to `limit` of the user's notifications in these rooms with stream position below
  /// `before` (all when nullopt), newest first; highlights only when `highlights_only`.
  virtual std::vector<Notification> list(std::string_view user_id, std::span<const std::string> room_ids,
                                         std::optional<std::int64_t> before, std::size_t limit,
                                         bool highlights_only) = 0;
};

class NotificationStore : public NotificationReads {
 public:
  /// Records the event's actions for every user in `actions`: one row per distinct outcome,
  /// holding the set of users it applies to, whatever their number (plus two statements when
  /// some user's ordinal is not given); nothing when `actions` is empty.
  virtual void add(const PushedEvent& event, std::span<const PushAction> actions) = 0;
  /// Moves the user's read mark in the room forward to `up_to`: the mark of one thread when
  /// `thread_id` is set, of every thread when it is "" (an unthreaded receipt). Returns 1 if it
  /// moved, 0 if it was there or further already.
  virtual std::int64_t mark_read(std::string_view user_id, std::string_view room_id, std::string_view thread_id,
                                 std::int64_t up_to) = 0;
};

}  // namespace ranvier::storage
