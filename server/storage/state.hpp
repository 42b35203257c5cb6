#pragma once
// Room state snapshots as state groups, stored so that space grows with the number of state
// changes rather than with (state size) × (events).
//
// A group is its parent's state plus a delta. Stored naively, looking a group up walks the
// whole chain of parents; stored as full snapshots, every join to a big room copies the whole
// member list. Instead each group records its state relative to a *base* ancestor chosen by
// its position `i` in the chain of parents (counted from the root group, which holds its state
// in full): write `i` in base 16 and let 16^p be the value of its lowest non-zero digit; the
// base is the ancestor at position i - 16^p, and the stored delta is everything that changed
// between the two (at most 16^p keys when each group changes one). Resolving a group follows
// base links, at most 15 per hex digit of `i` (≤ 75 below a million changes, about half that
// on average), and the stored rows come to about (15/16)·log16(n) per change: Fenwick-tree
// style deltas, with no full snapshot beyond the room's first group. (Full snapshots every N
// deltas would still store members × joins / N rows for a room everyone joins one by one.)
// Measured: 10,000 joins to one room take 3.6 delta rows and 159 bytes per change on SQLite
// (state_store_test.cpp, StateBytesPerChangeFigure).
//
// Which state a group means for an event: the state AFTER the event (its own state key
// included when it is a state event). The state before an event is then the state after its
// prev_events (resolved when there are several), and a message event shares its parent's group.

#include "storage/accounts.hpp"

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ranvier::storage {

/// A state key pair: (event type, state_key).
struct StateKey {
  std::string type;
  std::string state_key;

  auto operator<=>(const StateKey&) const = default;
};

/// Full state: each key to the event ID holding it.
using StateMap = std::map<StateKey, std::string>;

/// A change of state: each key to its new event ID, or nullopt to remove the key (state
/// resolution can drop keys).
using StateDelta = std::map<StateKey, std::optional<std::string>>;

/// State group queries available in any transaction. Unknown group IDs give empty results.
class StateReads {
 public:
  virtual ~StateReads() = default;

  /// The full state of a group.
  virtual StateMap state_map(std::int64_t group_id) = 0;

  /// The entries of a group's state for the given keys; keys not in the state are absent.
  virtual StateMap state_for_keys(std::int64_t group_id, std::span<const StateKey> keys) = 0;

  /// What changed from one group's state to another's, as the delta that turns `from` into
  /// `to` (e.g. the state section of an incremental /sync). Reads only the deltas on the two
  /// groups' base chains above the point where the chains meet, not both full states. Groups of
  /// different rooms or unknown groups compare as their (possibly empty) full states.
  virtual StateDelta state_difference(std::int64_t from_group, std::int64_t to_group) = 0;

  /// The group holding the state after an event, if one was recorded.
  virtual std::optional<std::int64_t> event_state_group(std::string_view event_id) = 0;

  /// The room a group belongs to.
  virtual std::optional<std::string> group_room(std::int64_t group_id) = 0;
};

/// State group changes, available in write transactions.
class StateStore : public StateReads {
 public:
  /// Creates a group whose state is `parent`'s (none: empty) with `delta` applied, and returns
  /// its ID. Every event ID in `delta` must be stored already, and `parent` must exist and
  /// belong to `room_id` (ErrorKind::constraint otherwise, before anything is written).
  virtual std::int64_t create_group(std::string_view room_id, std::optional<std::int64_t> parent,
                                    const StateDelta& delta) = 0;

  /// Records the group holding the state after a stored event; `exists` and no change if the
  /// event already has one. ErrorKind::constraint for an unknown event or group.
  virtual CreateResult set_event_state_group(std::string_view event_id, std::int64_t group_id) = 0;

  /// As set_event_state_group, for an event this transaction has just inserted (`stream` from
  /// its EventInsert): nothing to check, so the write may be queued (Session::execute_later).
  virtual void set_new_event_state_group(std::int64_t stream, std::int64_t group_id) = 0;
};

}  // namespace ranvier::storage
