#pragma once
// The SQL each backend supplies for the admin store (see queries.hpp for the conventions: the
// comment on each field is the contract), and the statements both backends share.

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

/// The purge selection (parameters as above): message events before the point (depth,
/// stream), never the frontier, never a redaction whose target is still stored (serving the
/// target needs it), local senders' only when asked: a sender is local when its ID ends with
/// the ":server" suffix. Placeholders ?N as in admin_text (the CAST lets PostgreSQL type ?5).
#define RANVIER_ADMIN_PURGED_STREAMS                                                                \
  "SELECT stream FROM events WHERE room_id = ?1 AND state_key IS NULL"                              \
  " AND (depth < ?2 OR (depth = ?2 AND stream < ?3))"                                               \
  " AND event_id NOT IN (SELECT event_id FROM room_forward_extremities WHERE room_id = ?1)"         \
  " AND event_id NOT IN (SELECT redacted_by FROM events WHERE room_id = ?1 AND redacted_by IS NOT NULL)" \
  " AND (?4 OR substr(sender, length(sender) - length(CAST(?5 AS TEXT)) + 1) <> CAST(?5 AS TEXT))"

/// The AdminSql statements both backends write alike, with SQLite's placeholders; PostgreSQL
/// takes them through dollar_placeholders (placeholders.hpp). The user filter and the search
/// index differ between the backends and stay in each backend's admin_sql.hpp.
namespace admin_text {

inline constexpr char room_ids[] = "SELECT room_id FROM rooms ORDER BY room_id";
inline constexpr char is_erased[] = "SELECT 1 FROM erased_users WHERE user_id = ?1";
inline constexpr char mark_erased[] =
    "INSERT INTO erased_users (user_id, erased_ts) VALUES (?1, ?2) ON CONFLICT (user_id) DO NOTHING";
inline constexpr char is_blocked[] = "SELECT 1 FROM blocked_rooms WHERE room_id = ?1";
inline constexpr char block[] =
    "INSERT INTO blocked_rooms (room_id, blocked_by, blocked_ts) VALUES (?1, ?2, ?3) ON CONFLICT (room_id) DO NOTHING";
inline constexpr char unblock[] = "DELETE FROM blocked_rooms WHERE room_id = ?1";
inline constexpr char update_token[] =
    "UPDATE registration_tokens SET uses_allowed = ?2, expiry_time = ?3 WHERE token = ?1";
inline constexpr char purge_state_links[] =
    "DELETE FROM event_state_groups WHERE event_nid IN (" RANVIER_ADMIN_PURGED_STREAMS ")";
inline constexpr char purge_push_users[] =
    "DELETE FROM push_event_users WHERE stream IN (" RANVIER_ADMIN_PURGED_STREAMS ")";
inline constexpr char purge_push_queue[] = "DELETE FROM push_queue WHERE stream IN (" RANVIER_ADMIN_PURGED_STREAMS ")";
inline constexpr char purge_push_events[] =
    "DELETE FROM push_events WHERE stream IN (" RANVIER_ADMIN_PURGED_STREAMS ")";
inline constexpr char purge_events[] = "DELETE FROM events WHERE stream IN (" RANVIER_ADMIN_PURGED_STREAMS ")";

}  // namespace admin_text
}  // namespace ranvier::storage::sql
