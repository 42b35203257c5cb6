#pragma once
// PostgreSQL text of notification_queries.hpp (push actions, pushers, search, reports, OpenID).

#include "storage/sql/notification_queries.hpp"

namespace ranvier::storage::postgres {

inline constexpr sql::NotificationSql notification_sql{
    .recipients = "SELECT m.user_id, m.event_id, a.stream_id FROM room_memberships m"
                  " LEFT JOIN account_data a ON a.user_id = m.user_id AND a.room_id = '' AND a.type = 'm.push_rules'"
                  " WHERE m.room_id = $1 AND m.membership = 'join' ORDER BY m.user_id",
    .insert_many = "INSERT INTO event_push_actions"
                   " (user_id, stream, room_id, thread_id, event_id, ts, highlight, actions)"
                   " SELECT x->>0, $4, $1, $3, $2, $5, (x->>1)::integer <> 0, x->>2"
                   " FROM jsonb_array_elements($6::jsonb) x",
    .unread_counts = "SELECT room_id, thread_id, COUNT(*), COUNT(*) FILTER (WHERE highlight) FROM event_push_actions"
                     " WHERE user_id = $1 AND unread GROUP BY room_id, thread_id ORDER BY room_id, thread_id",
    .list = "SELECT room_id, event_id, thread_id, stream, ts, highlight, actions, unread FROM event_push_actions"
            " WHERE user_id = $1 AND ($2::bigint IS NULL OR stream < $2) AND (NOT $3::boolean OR highlight)"
            " ORDER BY stream DESC LIMIT $4",
    .mark_read = "UPDATE event_push_actions SET unread = FALSE"
                 " WHERE user_id = $1 AND room_id = $2 AND unread AND stream <= $4"
                 " AND ($3 = '' OR thread_id = $3)",
};

#define NOTIF_PUSHER_COLUMNS                                                                       \
  "user_id, app_id, pushkey, device_id, kind, app_display_name, device_display_name, profile_tag," \
  " lang, data, created_ts"

inline constexpr sql::PusherSql pusher_sql{
    .upsert = "INSERT INTO pushers (" NOTIF_PUSHER_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
              " ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET device_id = excluded.device_id,"
              " kind = excluded.kind, app_display_name = excluded.app_display_name,"
              " device_display_name = excluded.device_display_name, profile_tag = excluded.profile_tag,"
              " lang = excluded.lang, data = excluded.data",
    .list = "SELECT " NOTIF_PUSHER_COLUMNS " FROM pushers WHERE user_id = $1 ORDER BY app_id, pushkey",
    .remove = "DELETE FROM pushers WHERE user_id = $1 AND app_id = $2 AND pushkey = $3",
    .remove_for_others = "DELETE FROM pushers WHERE app_id = $1 AND pushkey = $2 AND user_id <> $3",
};

#undef NOTIF_PUSHER_COLUMNS

// Matches of $1 among the events of rooms $2 under keys $3 that clients may be shown.
#define NOTIF_SEARCH_MATCHES                                                                       \
  " FROM event_search s JOIN events e ON e.stream = s.stream, plainto_tsquery('english', $1) q"   \
  " WHERE s.vector @@ q AND e.room_id IN (SELECT jsonb_array_elements_text($2::jsonb))"           \
  " AND s.key IN (SELECT jsonb_array_elements_text($3::jsonb)) AND e.redacted_by IS NULL"        \
  " AND NOT e.outlier AND e.rejected_reason IS NULL AND NOT e.soft_failed"

inline constexpr sql::SearchSql search_sql{
    .insert = "INSERT INTO event_search (stream, key, vector) VALUES ($1, $2, to_tsvector('english', $3))"
              " ON CONFLICT (stream) DO NOTHING",
    .by_rank = "SELECT e.event_id, e.stream, (ts_rank(s.vector, q) * 1000000)::bigint" NOTIF_SEARCH_MATCHES
               " ORDER BY 3 DESC, e.stream DESC LIMIT $5 OFFSET $4",
    .by_recent = "SELECT e.event_id, e.stream, (ts_rank(s.vector, q) * 1000000)::bigint" NOTIF_SEARCH_MATCHES
                 " ORDER BY e.stream DESC LIMIT $5 OFFSET $4",
    .count = "SELECT COUNT(*)" NOTIF_SEARCH_MATCHES,
};

#undef NOTIF_SEARCH_MATCHES

inline constexpr sql::ReportSql report_sql{
    .insert = "INSERT INTO reports (room_id, event_id, user_id, reason, score, received_ts)"
              " VALUES ($1, $2, $3, $4, $5, $6)",
    .recent = "SELECT room_id, event_id, user_id, reason, score, received_ts FROM reports"
              " ORDER BY report_id DESC LIMIT $1",
    .openid_insert = "INSERT INTO openid_tokens (token_hash, user_id, expires_ts) VALUES ($1, $2, $3)",
    .openid_purge = "DELETE FROM openid_tokens WHERE expires_ts <= $1",
    .openid_lookup = "SELECT user_id FROM openid_tokens WHERE token_hash = $1 AND expires_ts > $2",
};

}  // namespace ranvier::storage::postgres
