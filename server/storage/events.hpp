#pragma once
// Persisted events (PDUs) of every room, the edges of the room DAG, and the global stream
// order that /sync tokens count in.

#include "storage/accounts.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// One event as the pipeline hands it to storage. The canonical JSON is the truth; the other
/// fields are copies of what it says, kept in columns so queries need not parse JSON.
struct NewEvent {
  std::string event_id;
  std::string room_id;
  std::string type;
  /// Present for state events (possibly empty), absent for message events.
  std::optional<std::string> state_key{};
  std::string sender;
  std::int64_t depth = 0;
  std::int64_t origin_server_ts = 0;
  /// The event's canonical JSON text, stored as given.
  std::string json;
  /// Kept in the given order; a repeated ID is kept once.
  std::vector<std::string> prev_events{};
  std::vector<std::string> auth_events{};
  /// Known only through auth chains or state, not through the room's DAG: never served in a
  /// timeline.
  bool outlier = false;
  /// Why the event failed authorization; absent when it passed.
  std::optional<std::string> rejected_reason{};
  /// Passed auth against its own state but not against the room's current state: kept for the
  /// DAG, never sent to clients.
  bool soft_failed = false;
  /// From content.m.relates_to, copied out by the caller for /relations and /threads: the
  /// event this one relates to and the relation type (m.thread, m.annotation, ...).
  std::optional<std::string> relates_to{};
  std::optional<std::string> rel_type{};
  /// Fetched from another server's history (backfill): stored at a stream position below
  /// zero, counting down, so that it sorts before everything and never reaches /sync as new.
  bool backfilled = false;

  bool operator==(const NewEvent&) const = default;
};

/// A stored event: what was inserted, plus what storage assigned or learned later.
struct StoredEvent : NewEvent {
  /// Position in the global stream, assigned at insert: increasing in commit order across all
  /// rooms (gaps are possible). The basis of /sync tokens.
  std::int64_t stream = 0;
  /// The redaction event that redacted this one, once one arrived.
  std::optional<std::string> redacted_by{};

  bool rejected() const { return rejected_reason.has_value(); }
  bool operator==(const StoredEvent&) const = default;
};

/// Outcome of EventStore::insert.
struct EventInsert {
  CreateResult result = CreateResult::created;
  /// The event's stream position: the new one, or the existing event's when `exists`.
  std::int64_t stream = 0;
};

/// Which way a timeline query walks.
enum class Direction { forward, backward };

/// Where an event sits in its room's DAG order, as /messages pages through it: by depth, ties
/// broken by stream position.
struct TopologicalPosition {
  std::int64_t depth = 0;
  std::int64_t stream = 0;

  auto operator<=>(const TopologicalPosition&) const = default;
};

/// Which events /relations asks for: timeline events of `room_id` relating to `event_id`.
struct RelationQuery {
  std::string room_id;
  std::string event_id;
  /// Only relations of this type, when set. Applies to the events returned, not to the
  /// relations walked through to reach them.
  std::optional<std::string> rel_type{};
  /// Only events of this type, when set (same rule).
  std::optional<std::string> event_type{};
  /// How many relations away from `event_id` to look: 1 for its direct children only.
  int max_depth = 1;
};

/// A thread root (the target of `m.thread` relations) with what its aggregation needs.
struct ThreadRoot {
  StoredEvent root;
  /// Stream position of the newest `m.thread` event in the thread: threads are listed by it.
  std::int64_t latest_stream = 0;
  /// How many timeline events relate to the root with `m.thread`.
  std::int64_t count = 0;
  /// Whether the user asked about sent the root or an event of the thread.
  bool participated = false;
};

/// How many timeline events relate directly to an event with one `rel_type`, for bundled
/// aggregations.
struct RelationCount {
  std::string rel_type;
  std::int64_t count = 0;
  /// How many of them the user asked about sent.
  std::int64_t sent_by_user = 0;

  bool operator==(const RelationCount&) const = default;
};

/// Event queries available in any transaction. Timeline queries (`room_events`,
/// `room_messages`) skip outliers, rejected and soft-failed events: clients never see those.
class EventReads {
 public:
  virtual ~EventReads() = default;

  /// One event.
  virtual std::optional<StoredEvent> get(std::string_view event_id) = 0;

  /// One event without its DAG edges (`prev_events` and `auth_events` left empty; the JSON has
  /// them): one query instead of three, for callers that only read the event's JSON.
  virtual std::optional<StoredEvent> get_row(std::string_view event_id) = 0;

  /// The stored events among `event_ids`, in stream order; unknown IDs are simply absent.
  virtual std::vector<StoredEvent> get_many(std::span<const std::string> event_ids) = 0;

  /// The IDs among `event_ids` that are stored (sorted, each once).
  virtual std::vector<std::string> known(std::span<const std::string> event_ids) = 0;

  /// The highest stream position assigned so far (0 before the first event). Every event at or
  /// below it is visible to a transaction that sees this value.
  virtual std::int64_t max_stream() = 0;

  /// Timeline events of a room with `after < stream <= up_to`: oldest first when `forward`,
  /// newest first when `backward`; at most `limit`.
  virtual std::vector<StoredEvent> room_events(std::string_view room_id, std::int64_t after,
                                               std::int64_t up_to, Direction direction,
                                               std::size_t limit) = 0;

  /// Timeline events of a room in DAG order, strictly after (`forward`) or before
  /// (`backward`) `from`, at most `limit`, nearest first.
  virtual std::vector<StoredEvent> room_messages(std::string_view room_id,
                                                 TopologicalPosition from, Direction direction,
                                                 std::size_t limit) = 0;

  /// Timeline events matching `query` with `after < stream <= up_to`, oldest first when
  /// `forward`, newest first when `backward`; at most `limit`.
  virtual std::vector<StoredEvent> relations(const RelationQuery& query, std::int64_t after,
                                             std::int64_t up_to, Direction direction,
                                             std::size_t limit) = 0;

  /// The thread roots of a room whose newest thread event is below stream position `before`,
  /// newest thread first, at most `limit`; `participated` is computed for `user_id`, and with
  /// `participated_only` the other threads are left out. Roots that are not timeline events
  /// are left out.
  virtual std::vector<ThreadRoot> thread_roots(std::string_view room_id, std::string_view user_id,
                                               bool participated_only, std::int64_t before,
                                               std::size_t limit) = 0;

  /// For each of `event_ids` with relations: per `rel_type`, how many timeline events of
  /// `room_id` relate directly to it, and how many of those `user_id` sent; ordered by
  /// rel_type. One query for a whole page of events; events without relations are absent.
  virtual std::map<std::string, std::vector<RelationCount>, std::less<>> relation_counts(
      std::string_view room_id, std::span<const std::string> event_ids, std::string_view user_id) = 0;

  /// The room's timeline event closest to `ts` (origin_server_ts, ms) at or after it
  /// (`forward`) or at or before it (`backward`), for /timestamp_to_event.
  virtual std::optional<StoredEvent> event_near_ts(std::string_view room_id, std::int64_t ts,
                                                   Direction direction) = 0;

  /// The auth chain of `event_ids`: every ID reachable over auth_events edges, not counting
  /// the starting events unless another one reaches them (sorted, each once). An ID whose
  /// event is not stored is listed but leads nowhere.
  virtual std::vector<std::string> auth_chain(std::span<const std::string> event_ids) = 0;

  /// The stored events whose prev_events include `event_id` (its children in the DAG), sorted.
  virtual std::vector<std::string> children(std::string_view event_id) = 0;
};

/// Event changes, available in write transactions.
class EventStore : public EventReads {
 public:
  /// Stores an event and its edges and assigns its stream position. An event ID that is
  /// already stored gives `exists` and changes nothing. Concurrent inserters take turns (the
  /// stream counter is a locked row), so stream order is commit order.
  virtual EventInsert insert(const NewEvent& event) = 0;

  /// `insert` for each of `events`, in a handful of statements whatever their number (a
  /// send_join answer brings thousands): one result per event, in order, with the stream
  /// positions assigned in that order. An ID repeated within `events` is stored once, from its
  /// first occurrence; later ones get `exists`.
  virtual std::vector<EventInsert> insert_many(std::span<const NewEvent> events) = 0;

  /// Marks an event rejected; false if it is unknown.
  virtual bool set_rejected(std::string_view event_id, std::string_view reason) = 0;

  /// Sets or clears soft failure; false if the event is unknown.
  virtual bool set_soft_failed(std::string_view event_id, bool soft_failed) = 0;

  /// Records which redaction redacted an event (the JSON stays as stored: pruning on serve is
  /// the caller's choice); false if the event is unknown.
  virtual bool set_redacted_by(std::string_view event_id, std::string_view redaction_id) = 0;

  /// An outlier found its place in the DAG (backfill reached it): it becomes a timeline event,
  /// keeping its stream position; false if it is unknown or not an outlier.
  virtual bool promote_outlier(std::string_view event_id) = 0;
};

}  // namespace ranvier::storage
