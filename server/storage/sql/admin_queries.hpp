#pragma once
// The SQL each backend supplies for the admin store (see queries.hpp for the conventions: the
// comment on each field is the contract).

#include "storage/sql/session.hpp"

namespace ranvier::storage::sql {

/// User filter parameters, in order: include_guests, include_deactivated, name or NULL.
/// Purge parameters, in order: room_id, depth, stream, delete_local, local_suffix; every
/// purge_* statement removes the rows of the events the selection picks, purge_events last.
struct AdminSql {
  StaticSql users;               ///< (filter, limit, offset) → user_id ordered by user_id
  StaticSql users_count;         ///< (filter) → count
  StaticSql room_ids;            ///< () → room_id ordered by room_id
  StaticSql is_erased;           ///< (user_id) → a row when erased
  StaticSql mark_erased;         ///< (user_id, now_ts); no change when present
  StaticSql is_blocked;          ///< (room_id) → a row when blocked
  StaticSql block;               ///< (room_id, blocked_by, now_ts); no change when present
  StaticSql unblock;             ///< (room_id)
  StaticSql update_token;        ///< (token, uses_allowed or NULL, expiry_time or NULL)
  StaticSql purge_state_links;   ///< (purge) event_state_groups rows
  StaticSql purge_search;        ///< (purge) search index rows
  StaticSql purge_push_users;    ///< (purge) push_event_users rows
  StaticSql purge_push_queue;    ///< (purge) undelivered push notifications
  StaticSql purge_push_events;   ///< (purge) push_events rows
  StaticSql purge_events;        ///< (purge) the events (their edges cascade)
};

}  // namespace ranvier::storage::sql
