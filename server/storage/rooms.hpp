#pragma once
// Rooms: their registry, DAG frontier, materialized current state, memberships, aliases, and
// the transaction IDs that make /send idempotent.

#include "storage/accounts.hpp"
#include "storage/state.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// A room this server participates in.
struct Room {
  std::string room_id;
  std::string room_version;
  /// Milliseconds since the Unix epoch.
  std::int64_t created_ts = 0;
  std::string creator;
  /// Listed in the public room directory.
  bool is_public = false;

  bool operator==(const Room&) const = default;
};

/// A user's membership state in a room (the `membership` of their m.room.member event).
enum class Membership { invite, join, knock, leave, ban };

/// The spec's name: "join", "invite", ...
std::string_view to_string(Membership membership);

/// Parses the spec's name; nullopt for anything else.
std::optional<Membership> parse_membership(std::string_view text);

/// A user's current membership in a room, as the current state says.
struct RoomMember {
  std::string room_id;
  std::string user_id;
  Membership membership = Membership::leave;
  /// The m.room.member event that set it, and that event's stream position.
  std::string event_id;
  std::int64_t stream = 0;
  /// The user forgot the room after leaving it (POST /forget); cleared by the next change.
  bool forgotten = false;

  bool operator==(const RoomMember&) const = default;
};

/// A room alias (`#name:server`) and who made it.
struct RoomAlias {
  std::string alias;
  std::string room_id;
  std::string creator;

  bool operator==(const RoomAlias&) const = default;
};

/// The result a client transaction ID (`PUT .../send/{type}/{txnId}`) produced.
struct ClientTransaction {
  std::string user_id;
  std::string device_id;
  std::string txn_id;
  std::string room_id;
  std::string event_id;
  /// Digest of the request body, so a retry with a different body can be told apart.
  std::string request_digest;

  bool operator==(const ClientTransaction&) const = default;
};

/// Room queries available in any transaction.
class RoomReads {
 public:
  virtual ~RoomReads() = default;

  /// One room.
  virtual std::optional<Room> get(std::string_view room_id) = 0;

  /// Up to `limit` public rooms ordered by room ID, after `after_room_id` (empty: from the
  /// first), for paging the directory.
  virtual std::vector<Room> public_rooms(std::string_view after_room_id, std::size_t limit) = 0;

  /// The room's forward extremities (events with no children yet), sorted.
  virtual std::vector<std::string> forward_extremities(std::string_view room_id) = 0;

  /// The room's backward extremities: events this server lacks that its earliest known events
  /// cite as prev_events, where /backfill would continue (sorted).
  virtual std::vector<std::string> backward_extremities(std::string_view room_id) = 0;

  /// The room's current state.
  virtual StateMap current_state(std::string_view room_id) = 0;

  /// The current state event for one key.
  virtual std::optional<std::string> current_state_event(std::string_view room_id,
                                                         const StateKey& key) = 0;

  /// The current state events of several keys in one read; keys without one are left out.
  virtual StateMap current_state_events(std::string_view room_id, std::span<const StateKey> keys) = 0;

  /// All current state entries of one type (e.g. every m.room.member), by state key.
  virtual StateMap current_state_of_type(std::string_view room_id, std::string_view type) = 0;

  /// One user's membership in a room.
  virtual std::optional<RoomMember> membership(std::string_view room_id,
                                               std::string_view user_id) = 0;

  /// The user's rooms with this membership, ordered by room ID.
  virtual std::vector<RoomMember> rooms_for_user(std::string_view user_id,
                                                 Membership membership) = 0;

  /// The room's users with this membership, ordered by user ID.
  virtual std::vector<RoomMember> members(std::string_view room_id, Membership membership) = 0;

  /// The servers with at least one joined member in the room (the part of each user ID after
  /// the first colon), in byte order.
  virtual std::vector<std::string> joined_servers(std::string_view room_id) = 0;

  /// Where an alias points.
  virtual std::optional<RoomAlias> alias(std::string_view alias) = 0;

  /// Every alias of a room, sorted.
  virtual std::vector<std::string> aliases_of(std::string_view room_id) = 0;

  /// What an earlier request with this transaction ID produced.
  virtual std::optional<ClientTransaction> transaction(std::string_view user_id,
                                                       std::string_view device_id,
                                                       std::string_view txn_id) = 0;

  /// The transaction of that device which produced `event_id`, to echo its ID to the sender.
  virtual std::optional<ClientTransaction> transaction_of_event(std::string_view user_id,
                                                                std::string_view device_id,
                                                                std::string_view event_id) = 0;
};

/// Room changes, available in write transactions. Extremities, current state, memberships and
/// aliases need the room row first (ErrorKind::constraint otherwise); events do not (outliers
/// of rooms this server is not in are stored too).
class RoomStore : public RoomReads {
 public:
  /// Registers a room; `exists` and no change if the ID is taken.
  virtual CreateResult create(const Room& room) = 0;

  /// Holds the room's row locked until the transaction ends, so that two writers building
  /// events on the same frontier take turns (PostgreSQL; SQLite serializes writes anyway).
  /// False if the room is unknown.
  virtual bool lock(std::string_view room_id) = 0;

  /// Lists or unlists a room in the directory; false if the room is unknown.
  virtual bool set_public(std::string_view room_id, bool is_public) = 0;

  /// A new event joins the DAG's frontier: its prev_events stop being extremities and it
  /// becomes one.
  virtual void add_forward_extremity(std::string_view room_id, std::string_view event_id,
                                     std::span<const std::string> prev_events) = 0;

  /// History reaches back to `event_id`: it stops being a backward extremity, and those of
  /// `prev_events` that are not stored become ones.
  virtual void extend_history(std::string_view room_id, std::string_view event_id,
                              std::span<const std::string> prev_events) = 0;

  /// Replaces the whole frontier (after state resolution or backfill).
  virtual void set_forward_extremities(std::string_view room_id,
                                       std::span<const std::string> event_ids) = 0;

  /// Applies a change to the room's current state (nullopt removes a key).
  virtual void apply_state_delta(std::string_view room_id, const StateDelta& delta) = 0;

  /// Records a user's membership as of a member event (inserting or replacing). The pipeline
  /// calls it with apply_state_delta for each m.room.member change, in the same transaction.
  virtual void set_membership(const RoomMember& member) = 0;

  /// set_membership for each of `members` in one statement (a remote join brings the whole
  /// member list); for a (room, user) listed twice the last entry counts.
  virtual void set_memberships(std::span<const RoomMember> members) = 0;

  /// Marks a left or banned user's room as forgotten; false when the user is not in that state.
  virtual bool forget(std::string_view room_id, std::string_view user_id) = 0;

  /// Creates an alias; `exists` and no change if the alias is taken.
  virtual CreateResult create_alias(const RoomAlias& alias) = 0;

  /// Deletes an alias; false if it was unknown.
  virtual bool remove_alias(std::string_view alias) = 0;

  /// Remembers what a client transaction produced; `exists` and no change if that device
  /// already used the ID. The device must exist; its transactions go when it is deleted.
  virtual CreateResult record_transaction(const ClientTransaction& transaction) = 0;
};

}  // namespace ranvier::storage
