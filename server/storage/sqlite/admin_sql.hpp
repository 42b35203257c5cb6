#pragma once
// SQLite text of the admin store (sql/admin_queries.hpp).

#include "storage/sql/admin_queries.hpp"

namespace ranvier::storage::sqlite {

#define ADMIN_USER_FILTER                                                                           \
  " FROM accounts a LEFT JOIN profiles p ON p.user_id = a.user_id"                                  \
  " WHERE (?1 OR a.is_guest = 0) AND (?2 OR a.deactivated = 0) AND (?3 IS NULL"                     \
  " OR instr(lower(a.user_id), lower(?3)) > 0"                                                      \
  " OR instr(lower(coalesce(json_extract(p.profile, '$.displayname'), '')), lower(?3)) > 0)"

// Message events before the point (depth, stream), never the frontier, never a redaction
// whose target is still stored (serving the target needs it), local senders' only when asked:
// a sender is local when its ID ends with the ":server" suffix.
#define ADMIN_PURGED_STREAMS                                                                        \
  "SELECT stream FROM events WHERE room_id = ?1 AND state_key IS NULL"                              \
  " AND (depth < ?2 OR (depth = ?2 AND stream < ?3))"                                               \
  " AND event_id NOT IN (SELECT event_id FROM room_forward_extremities WHERE room_id = ?1)"         \
  " AND event_id NOT IN (SELECT redacted_by FROM events WHERE room_id = ?1 AND redacted_by IS NOT NULL)" \
  " AND (?4 OR substr(sender, length(sender) - length(?5) + 1) <> ?5)"

inline constexpr sql::AdminSql admin_sql{
    .users = "SELECT a.user_id" ADMIN_USER_FILTER " ORDER BY a.user_id LIMIT ?4 OFFSET ?5",
    .users_count = "SELECT count(*)" ADMIN_USER_FILTER,
    .room_ids = "SELECT room_id FROM rooms ORDER BY room_id",
    .is_erased = "SELECT 1 FROM erased_users WHERE user_id = ?1",
    .mark_erased = "INSERT INTO erased_users (user_id, erased_ts) VALUES (?1, ?2) ON CONFLICT (user_id) DO NOTHING",
    .is_blocked = "SELECT 1 FROM blocked_rooms WHERE room_id = ?1",
    .block = "INSERT INTO blocked_rooms (room_id, blocked_by, blocked_ts) VALUES (?1, ?2, ?3)"
             " ON CONFLICT (room_id) DO NOTHING",
    .unblock = "DELETE FROM blocked_rooms WHERE room_id = ?1",
    .update_token = "UPDATE registration_tokens SET uses_allowed = ?2, expiry_time = ?3 WHERE token = ?1",
    .purge_state_links = "DELETE FROM event_state_groups WHERE event_nid IN (" ADMIN_PURGED_STREAMS ")",
    .purge_search = "DELETE FROM event_search WHERE rowid IN (" ADMIN_PURGED_STREAMS ")",
    .purge_push_users = "DELETE FROM push_event_users WHERE stream IN (" ADMIN_PURGED_STREAMS ")",
    .purge_push_queue = "DELETE FROM push_queue WHERE stream IN (" ADMIN_PURGED_STREAMS ")",
    .purge_push_events = "DELETE FROM push_events WHERE stream IN (" ADMIN_PURGED_STREAMS ")",
    .purge_events = "DELETE FROM events WHERE stream IN (" ADMIN_PURGED_STREAMS ")",
};

#undef ADMIN_USER_FILTER
#undef ADMIN_PURGED_STREAMS

}  // namespace ranvier::storage::sqlite
