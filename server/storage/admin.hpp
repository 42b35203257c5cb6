#pragma once
// What the server admin API and `ranvier admin` need beyond the other stores: paged, filtered
// user listings, every room, erased users, blocked rooms, and purging a room's old history.

#include "storage/accounts.hpp"
#include "storage/events.hpp"
#include "storage/rooms.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// A page of the account list, filtered as Synapse's GET /_synapse/admin/v2/users filters it.
struct UserQuery {
  std::int64_t offset = 0;
  std::size_t limit = 100;
  bool include_guests = true;
  bool include_deactivated = false;
  /// Only users whose ID or display name contains this text (case-insensitive).
  std::optional<std::string> name{};
};

/// One page (user IDs) and the number of accounts matching the filter across all pages.
struct UserPage {
  std::vector<std::string> user_ids;
  std::int64_t total = 0;
};

/// Which events a history purge deletes: the room's message events (never state events)
/// strictly before `before` in DAG order, except forward extremities and redactions of events
/// still stored (a later purge takes those once their targets are gone). Events of local senders
/// (user IDs ending in `local_suffix`, ":example.org") only with `delete_local`.
struct PurgeRequest {
  std::string room_id;
  TopologicalPosition before;
  std::string local_suffix;
  bool delete_local = false;
};

/// Admin queries available in any transaction.
class AdminReads {
 public:
  virtual ~AdminReads() = default;
  /// Accounts ordered by user ID, filtered and paged as `query` says.
  virtual UserPage users(const UserQuery& query) = 0;
  /// The ID of every room this server knows, in byte order.
  virtual std::vector<std::string> all_room_ids() = 0;
  /// Whether an admin erased the account (deactivation with `erase`).
  virtual bool is_erased(std::string_view user_id) = 0;
  /// Whether an admin blocked the room (local users may not join it).
  virtual bool is_room_blocked(std::string_view room_id) = 0;
};

/// Admin changes, available in write transactions.
class AdminStore : public AdminReads {
 public:
  /// Records that the account was erased; idempotent.
  virtual void mark_erased(std::string_view user_id, std::int64_t now_ts) = 0;
  /// Blocks a room for local joins; false (and no change) if it was blocked already.
  virtual bool block_room(std::string_view room_id, std::string_view blocked_by, std::int64_t now_ts) = 0;
  /// Lifts a block; false if the room was not blocked.
  virtual bool unblock_room(std::string_view room_id) = 0;
  /// Sets a registration token's limits (nullopt: none); false if the token is unknown.
  virtual bool update_registration_token(std::string_view token, std::optional<std::int64_t> uses_allowed,
                                         std::optional<std::int64_t> expiry_time) = 0;
  /// Deletes what `request` selects, with the rows that hang off those events (edges, state
  /// group links, search and notification rows). Returns how many events went.
  virtual std::int64_t purge_history(const PurgeRequest& request) = 0;
};

}  // namespace ranvier::storage
