#pragma once
// The SQL each backend supplies for notifications, pushers, search, reports and OpenID tokens
// (see queries.hpp for the conventions: the comment on each field is the contract).

#include "storage/sql/session.hpp"

namespace ranvier::storage::sql {

/// Push actions; notification columns: room_id, event_id, thread_id, stream, ts, highlight,
/// actions, unread. Member sets are hex text over the members' ordinals in the room (see
/// migration 0027).
struct NotificationSql {
  StaticSql recipients;    ///< (room_id) → user_id, member event_id ('' without stored rules),
                           ///< m.push_rules stream_id or NULL, ordinal or NULL, for joined
                           ///< members in no particular order
  StaticSql ordinals_of;   ///< (room_id, JSON array of user IDs) → user_id, ordinal of those with one
  StaticSql assign_ordinals; ///< (room_id, JSON array of user IDs without one) → user_id, ordinal:
                             ///< the room's next free ordinals, in array order
  StaticSql insert_event;  ///< (stream, room_id, thread_id, event_id, ts, JSON array of action lists)
  StaticSql insert_outcome; ///< (stream, highlight, index into the lists, member set)
  StaticSql unread_counts; ///< (user_id, room ids) → room_id, thread_id, count, highlights for
                           ///< notifications above the read marks
  StaticSql list;          ///< (user_id, room ids, before or NULL, highlights_only, limit) →
                           ///< notification rows, newest first
  StaticSql mark_read;     ///< (user_id, room_id, thread_id or '' for every thread, up_to);
                           ///< moves the mark forward only
};

/// Pushers; columns: user_id, app_id, pushkey, device_id, kind, app_display_name,
/// device_display_name, profile_tag, lang, data, created_ts.
struct PusherSql {
  StaticSql upsert;             ///< (pusher columns); replaces the row with the same key
  StaticSql list;               ///< (user_id) → pusher rows by app_id, pushkey
  StaticSql remove;             ///< (user_id, app_id, pushkey)
  StaticSql remove_for_others;  ///< (app_id, pushkey, user_id)
  StaticSql enqueue;            ///< (stream, JSON array of user IDs, now_ts) for their http pushers
  StaticSql has_http_pusher;    ///< (user_id) → a row when the user has an http pusher
  StaticSql any_http_pusher;    ///< () → a row when anyone has an http pusher
  StaticSql enqueue_one;        ///< (stream, user_id, now_ts) for that user's http pushers
  StaticSql due;                ///< (now_ts, limit) → queue_id, stream, attempts, event_id, room_id,
                                ///< actions, then the pusher columns; oldest due first
  StaticSql next_due;           ///< () → MIN(next_attempt_ts), NULL when empty
  StaticSql finish;             ///< (queue_id)
  StaticSql retry;              ///< (queue_id, next_ts); attempts + 1
};

/// The full-text index. Queries take the words as one FTS5-style expression of quoted words
/// (`"foo" "bar"`), which PostgreSQL's plainto_tsquery reads as foo & bar.
struct SearchSql {
  StaticSql insert;         ///< (stream, key, text)
  StaticSql by_rank;        ///< (expression, room ids, keys, offset, limit) → event_id, stream, rank × 10⁶ as an integer
  StaticSql by_recent;      ///< same, newest first
  StaticSql count;          ///< (expression, room ids, keys) → count
};

/// Reports and OpenID tokens; report columns: room_id, event_id, user_id, reason, score,
/// received_ts, target_user_id.
struct ReportSql {
  StaticSql insert;         ///< (report columns)
  StaticSql recent;         ///< (limit) → report rows, newest first
  StaticSql openid_insert;  ///< (token_hash, user_id, expires_ts)
  StaticSql openid_purge;   ///< (now_ts) deletes expired tokens
  StaticSql openid_lookup;  ///< (token_hash, now_ts) → user_id while unexpired
};

}  // namespace ranvier::storage::sql
