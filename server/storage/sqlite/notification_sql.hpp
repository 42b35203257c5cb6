#pragma once
// SQLite text of notification_queries.hpp (push actions, pushers, search, reports, OpenID).

#include "storage/sql/notification_queries.hpp"

namespace ranvier::storage::sqlite {

// The user's read mark of the room (thread '') and of the row's thread, for notification rows
// `e` of user ?1.
#define NOTIF_ABOVE_MARKS                                                                                      \
  "e.stream > COALESCE((SELECT m.stream FROM push_read_marks m"                                                 \
  " WHERE m.user_id = ?1 AND m.room_id = e.room_id AND m.thread_id = ''), 0)"                                   \
  " AND e.stream > COALESCE((SELECT t.stream FROM push_read_marks t"                                            \
  " WHERE t.user_id = ?1 AND t.room_id = e.room_id AND t.thread_id = e.thread_id), 0)"

// Whether member set M (hex text, migration 0027) holds ordinal O.
#define NOTIF_HAS_MEMBER(M, O) \
  "(((instr('0123456789abcdef', substr(" M ", " O " / 4 + 1, 1)) - 1) >> (" O " % 4)) & 1) = 1"

inline constexpr sql::NotificationSql notification_sql{
    .recipients = "SELECT m.user_id, CASE WHEN a.stream_id IS NULL THEN '' ELSE m.event_id END, a.stream_id, o.ordinal"
                  " FROM room_memberships m"
                  " LEFT JOIN account_data a ON a.user_id = m.user_id AND a.room_id = '' AND a.type = 'm.push_rules'"
                  " LEFT JOIN push_member_ordinals o ON o.room_id = m.room_id AND o.user_id = m.user_id"
                  " WHERE m.room_id = ?1 AND m.membership = 'join'",
    .ordinals_of = "SELECT user_id, ordinal FROM push_member_ordinals"
                   " WHERE room_id = ?1 AND user_id IN (SELECT value FROM json_each(?2))",
    .assign_ordinals = "INSERT INTO push_member_ordinals (room_id, user_id, ordinal)"
                       " SELECT ?1, u.value, (SELECT COALESCE(MAX(ordinal) + 1, 0) FROM push_member_ordinals"
                       " WHERE room_id = ?1) + u.key FROM json_each(?2) u RETURNING user_id, ordinal",
    .insert_event = "INSERT INTO push_events (stream, room_id, thread_id, event_id, ts, actions)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    .insert_outcome = "INSERT INTO push_event_users (stream, highlight, actions_index, members) VALUES (?1, ?2, ?3, ?4)",
    .unread_counts = "WITH rooms(room_id, mark, ordinal) AS (SELECT j.value, COALESCE((SELECT m.stream FROM push_read_marks m"
                     " WHERE m.user_id = ?1 AND m.room_id = j.value AND m.thread_id = ''), 0), o.ordinal FROM json_each(?2) j"
                     " JOIN push_member_ordinals o ON o.room_id = j.value AND o.user_id = ?1)"
                     " SELECT e.room_id, e.thread_id, COUNT(*), SUM(u.highlight) FROM rooms r"
                     " JOIN push_events e ON e.room_id = r.room_id AND e.stream > r.mark"
                     " JOIN push_event_users u ON u.stream = e.stream AND " NOTIF_HAS_MEMBER("u.members", "r.ordinal")
                     // The room's mark is already applied above; the thread's by a join, not a
                     // lookup per row.
                     " LEFT JOIN push_read_marks t ON t.user_id = ?1 AND t.room_id = e.room_id AND t.thread_id = e.thread_id"
                     " WHERE e.stream > COALESCE(t.stream, 0)"
                     " GROUP BY e.room_id, e.thread_id ORDER BY e.room_id, e.thread_id",
    .list = "SELECT e.room_id, e.event_id, e.thread_id, e.stream, e.ts, u.highlight,"
            " json_extract(e.actions, '$[' || u.actions_index || ']'), " NOTIF_ABOVE_MARKS
            " FROM push_member_ordinals o JOIN push_events e ON e.room_id = o.room_id"
            " JOIN push_event_users u ON u.stream = e.stream AND " NOTIF_HAS_MEMBER("u.members", "o.ordinal")
            " WHERE o.user_id = ?1 AND o.room_id IN (SELECT value FROM json_each(?2))"
            " AND (?3 IS NULL OR e.stream < ?3) AND (?4 = 0 OR u.highlight = 1) ORDER BY e.stream DESC LIMIT ?5",
    .mark_read = "INSERT INTO push_read_marks (user_id, room_id, thread_id, stream) VALUES (?1, ?2, ?3, ?4)"
                 " ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET stream = excluded.stream"
                 " WHERE excluded.stream > push_read_marks.stream",
};

#undef NOTIF_ABOVE_MARKS

#define NOTIF_PUSHER_COLUMNS                                                                       \
  "user_id, app_id, pushkey, device_id, kind, app_display_name, device_display_name, profile_tag," \
  " lang, data, created_ts"

inline constexpr sql::PusherSql pusher_sql{
    .upsert = "INSERT INTO pushers (" NOTIF_PUSHER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
              " ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET device_id = excluded.device_id,"
              " kind = excluded.kind, app_display_name = excluded.app_display_name,"
              " device_display_name = excluded.device_display_name, profile_tag = excluded.profile_tag,"
              " lang = excluded.lang, data = excluded.data",
    .list = "SELECT " NOTIF_PUSHER_COLUMNS " FROM pushers WHERE user_id = ?1 ORDER BY app_id, pushkey",
    .remove = "DELETE FROM pushers WHERE user_id = ?1 AND app_id = ?2 AND pushkey = ?3",
    .remove_for_others = "DELETE FROM pushers WHERE app_id = ?1 AND pushkey = ?2 AND user_id <> ?3",
    .enqueue = "INSERT INTO push_queue (user_id, app_id, pushkey, stream, next_attempt_ts)"
               " SELECT user_id, app_id, pushkey, ?1, ?3 FROM pushers"
               " WHERE kind = 'http' AND user_id IN (SELECT value FROM json_each(?2))",
    .has_http_pusher = "SELECT 1 FROM pushers WHERE user_id = ?1 AND kind = 'http' LIMIT 1",
    .any_http_pusher = "SELECT 1 FROM pushers WHERE kind = 'http' LIMIT 1",
    .enqueue_one = "INSERT INTO push_queue (user_id, app_id, pushkey, stream, next_attempt_ts)"
                   " SELECT user_id, app_id, pushkey, ?1, ?3 FROM pushers WHERE kind = 'http' AND user_id = ?2",
    .due = "SELECT q.queue_id, q.stream, q.attempts, e.event_id, e.room_id, json_extract(e.actions, '$[' || u.actions_index || ']'), "
           "p.user_id, p.app_id, p.pushkey, p.device_id, p.kind, p.app_display_name, p.device_display_name, p.profile_tag, p.lang, p.data, p.created_ts"
           " FROM push_queue q JOIN pushers p ON p.user_id = q.user_id AND p.app_id = q.app_id AND p.pushkey = q.pushkey"
           " JOIN push_events e ON e.stream = q.stream"
           " JOIN push_member_ordinals o ON o.room_id = e.room_id AND o.user_id = q.user_id"
           " JOIN push_event_users u ON u.stream = q.stream AND " NOTIF_HAS_MEMBER("u.members", "o.ordinal")
           " WHERE q.next_attempt_ts <= ?1 ORDER BY q.next_attempt_ts, q.queue_id LIMIT ?2",
    .next_due = "SELECT MIN(next_attempt_ts) FROM push_queue",
    .finish = "DELETE FROM push_queue WHERE queue_id = ?1",
    .retry = "UPDATE push_queue SET attempts = attempts + 1, next_attempt_ts = ?2 WHERE queue_id = ?1",
};

#undef NOTIF_PUSHER_COLUMNS
#undef NOTIF_HAS_MEMBER

// Matches of ?1 among the events of rooms ?2 under keys ?3 that clients may be shown.
#define NOTIF_SEARCH_MATCHES                                                                    \
  " FROM event_search JOIN events e ON e.stream = event_search.rowid"                           \
  " WHERE event_search MATCH ?1 AND e.room_id IN (SELECT value FROM json_each(?2))"             \
  " AND event_search.key IN (SELECT value FROM json_each(?3)) AND e.redacted_by IS NULL"        \
  " AND e.outlier = 0 AND e.rejected_reason IS NULL AND e.soft_failed = 0"

inline constexpr sql::SearchSql search_sql{
    .insert = "INSERT INTO event_search (rowid, key, body) VALUES (?1, ?2, ?3)",
    .by_rank = "SELECT e.event_id, e.stream, CAST(-event_search.rank * 1000000 AS INTEGER)" NOTIF_SEARCH_MATCHES
               " ORDER BY event_search.rank, e.stream DESC LIMIT ?5 OFFSET ?4",
    .by_recent = "SELECT e.event_id, e.stream, CAST(-event_search.rank * 1000000 AS INTEGER)" NOTIF_SEARCH_MATCHES
                 " ORDER BY e.stream DESC LIMIT ?5 OFFSET ?4",
    .count = "SELECT COUNT(*)" NOTIF_SEARCH_MATCHES,
};

#undef NOTIF_SEARCH_MATCHES

inline constexpr sql::ReportSql report_sql{
    .insert = "INSERT INTO reports (room_id, event_id, user_id, reason, score, received_ts, target_user_id)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    .recent = "SELECT room_id, event_id, user_id, reason, score, received_ts, target_user_id FROM reports"
              " ORDER BY report_id DESC LIMIT ?1",
    .openid_insert = "INSERT INTO openid_tokens (token_hash, user_id, expires_ts) VALUES (?1, ?2, ?3)",
    .openid_purge = "DELETE FROM openid_tokens WHERE expires_ts <= ?1",
    .openid_lookup = "SELECT user_id FROM openid_tokens WHERE token_hash = ?1 AND expires_ts > ?2",
};

}  // namespace ranvier::storage::sqlite
