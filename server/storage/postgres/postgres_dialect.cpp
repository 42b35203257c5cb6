// All SQL the PostgreSQL backend runs besides its migration files.

#include "storage/postgres/postgres_dialect.hpp"

#include "storage/postgres/admin_sql.hpp"
#include "storage/postgres/federation_inbox_sql.hpp"
#include "storage/postgres/notification_sql.hpp"
#include "storage/postgres/server_key_sql.hpp"
#include "storage/postgres/media_sql.hpp"
#include "storage/postgres/appservice_sql.hpp"

namespace ranvier::storage::postgres {
namespace {

// Column lists and conditions repeated across statements (the order is queries.hpp's).
#define EVENT_COLUMNS                                                                    \
  "event_id, room_id, type, state_key, sender, depth, origin_server_ts, json, outlier," \
  " rejected_reason, soft_failed, stream, redacted_by, relates_to, rel_type"
#define MEMBER_COLUMNS "room_id, user_id, membership, event_id, stream"
#define MEMBER_SELECT MEMBER_COLUMNS ", forgotten"
#define TXN_COLUMNS "user_id, device_id, txn_id, room_id, event_id, request_digest"
// Clients never see outliers, rejected or soft-failed events.
#define TIMELINE "NOT outlier AND rejected_reason IS NULL AND NOT soft_failed"
// Events of room $1 relating to event $2 within $5 relations, of rel_type $3 and type $4
// when given, with $6 < stream <= $7 (/relations). A relation names one target, so the
// walk is a tree; the depth bounds it anyway.
#define RELATED_EVENTS                                                                 \
  "WITH RECURSIVE related(event_id, hops) AS ("                                        \
  " SELECT event_id, 1 FROM events"                                                    \
  " WHERE relates_to = $2 AND room_id = $1 AND " TIMELINE                              \
  " UNION SELECT e.event_id, r.hops + 1 FROM events e"                                 \
  " JOIN related r ON e.relates_to = r.event_id"                                       \
  " WHERE r.hops < $5::integer AND e.room_id = $1"                                     \
  " AND NOT e.outlier AND e.rejected_reason IS NULL"                                   \
  " AND NOT e.soft_failed)"                                                            \
  " SELECT " EVENT_COLUMNS " FROM events"                                              \
  " WHERE event_id IN (SELECT event_id FROM related)"                                  \
  " AND ($3::text IS NULL OR rel_type = $3)"                                           \
  " AND ($4::text IS NULL OR type = $4)"                                               \
  " AND stream > $6 AND stream <= $7 AND " TIMELINE
// A group and the groups its base links lead to, with their positions. The LATERAL subquery
// (kept one by LIMIT, which stops PostgreSQL from flattening it into a join) makes each step a
// primary-key probe; planned as a join, a step became a hash join scanning all of
// state_groups, once per link.
#define BASE_CHAIN                                                                       \
  "chain(group_id, base_id, position, room_id) AS ("                                     \
  " SELECT group_id, base_id, position, room_id FROM state_groups WHERE group_id = $1" \
  " UNION ALL SELECT g.group_id, g.base_id, g.position, g.room_id FROM chain c,"       \
  " LATERAL (SELECT * FROM state_groups s WHERE s.group_id = c.base_id LIMIT 1) AS g)"

constexpr sql::Dialect postgres_dialect{
    // One snapshot for every statement of a read, as SQLite gives its readers.
    .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .begin_write = "BEGIN",
    .commit = "COMMIT",
    .rollback = "ROLLBACK",
    .migrations =
        {
            // The advisory lock makes a second process that starts at the same moment (serve
            // and register-user) wait, then find the migrations done, instead of racing on
            // CREATE TABLE.
            .prepare = "SELECT pg_advisory_xact_lock(hashtext('ranvier schema_migrations'));"
                       "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER NOT NULL PRIMARY KEY,"
                       " name TEXT NOT NULL,"
                       " applied_ts BIGINT NOT NULL)",
            .max_version = "SELECT MAX(version) FROM schema_migrations",
            .record = "INSERT INTO schema_migrations (version, name, applied_ts)"
                      " VALUES ($1, $2, $3)",
        },
    .accounts =
        {
            .insert = "INSERT INTO accounts"
                      " (user_id, password_hash, is_admin, is_guest, created_ts, deactivated)"
                      " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO NOTHING",
            .select_one = "SELECT user_id, password_hash, is_admin, is_guest, created_ts,"
                          " deactivated, locked, suspended FROM accounts WHERE user_id = $1",
            .counts = "SELECT COUNT(*), COUNT(*) FILTER (WHERE is_admin),"
                      " COUNT(*) FILTER (WHERE is_guest),"
                      " COUNT(*) FILTER (WHERE deactivated) FROM accounts",
            .list_after = "SELECT user_id, password_hash, is_admin, is_guest, created_ts,"
                          " deactivated, locked, suspended FROM accounts WHERE user_id > $1"
                          " ORDER BY user_id LIMIT $2",
            .set_password = "UPDATE accounts SET password_hash = $2 WHERE user_id = $1",
            .set_admin = "UPDATE accounts SET is_admin = $2 WHERE user_id = $1",
            .deactivate = "UPDATE accounts SET deactivated = TRUE, password_hash = NULL"
                          " WHERE user_id = $1",
            .lock = "SELECT 1 FROM accounts WHERE user_id = $1 FOR UPDATE",
            .set_locked = "UPDATE accounts SET locked = $2 WHERE user_id = $1",
            .set_suspended = "UPDATE accounts SET suspended = $2 WHERE user_id = $1",
        },
    .account_data =
        {
            .select_one = "SELECT content FROM account_data WHERE user_id = $1 AND room_id = $2 AND type = $3",
            .upsert = "INSERT INTO account_data (user_id, room_id, type, content) VALUES ($1, $2, $3, $4)"
                      " ON CONFLICT (user_id, room_id, type) DO UPDATE"
                      " SET content = excluded.content, stream_id = nextval('account_data_stream')",
            .select_filter = "SELECT filter FROM filters WHERE user_id = $1 AND filter_id = $2",
            .insert_filter = "INSERT INTO filters (user_id, filter) VALUES ($1, $2) RETURNING filter_id",
            .changed_since = "SELECT room_id, type, content, stream_id FROM account_data"
                             " WHERE user_id = $1 AND stream_id > $2 ORDER BY stream_id",
            .max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM account_data",
        },
    .devices =
        {
            .insert = "INSERT INTO devices (user_id, device_id, display_name, created_ts,"
                      " last_seen_ts, last_seen_ip) VALUES ($1, $2, $3, $4, $5, $6)"
                      " ON CONFLICT (user_id, device_id) DO NOTHING",
            .select_one = "SELECT user_id, device_id, display_name, created_ts, last_seen_ts,"
                          " last_seen_ip, last_seen_user_agent FROM devices WHERE user_id = $1 AND device_id = $2",
            .list_for_user = "SELECT user_id, device_id, display_name, created_ts, last_seen_ts,"
                             " last_seen_ip, last_seen_user_agent FROM devices WHERE user_id = $1 ORDER BY device_id",
            .set_display_name = "UPDATE devices SET display_name = $3"
                                " WHERE user_id = $1 AND device_id = $2",
            .touch = "UPDATE devices SET last_seen_ts = $3, last_seen_ip = $4"
                     " WHERE user_id = $1 AND device_id = $2",
            .record_request = "UPDATE devices SET last_seen_ts = $3, last_seen_ip = $4,"
                              " last_seen_user_agent = $5 WHERE user_id = $1 AND device_id = $2",
            .remove = "DELETE FROM devices WHERE user_id = $1 AND device_id = $2",
            .remove_all = "DELETE FROM devices WHERE user_id = $1",
        },
    .profiles =
        {
            .select_one = "SELECT profile FROM profiles WHERE user_id = $1",
            .upsert = "INSERT INTO profiles (user_id, profile) VALUES ($1, $2)"
                      " ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile",
        },
    .tokens =
        {
            .insert = "INSERT INTO access_tokens"
                      " (token_hash, user_id, device_id, created_ts, expires_ts, retires_refresh_hash)"
                      " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token_hash) DO NOTHING",
            .lookup = "SELECT t.user_id, t.device_id, a.is_guest, a.is_admin, t.created_ts,"
                      " t.expires_ts, t.retires_refresh_hash IS NOT NULL, a.locked, a.suspended,"
                      " CASE WHEN d.last_seen_user_agent IS NULL THEN NULL ELSE d.last_seen_ts END"
                      " FROM access_tokens t JOIN accounts a ON a.user_id = t.user_id"
                      " JOIN devices d ON d.user_id = t.user_id AND d.device_id = t.device_id"
                      " WHERE t.token_hash = $1 AND NOT a.deactivated",
            .remove = "DELETE FROM access_tokens WHERE token_hash = $1",
            .remove_for_device = "DELETE FROM access_tokens WHERE user_id = $1 AND device_id = $2",
            .remove_for_user = "DELETE FROM access_tokens WHERE user_id = $1",
            .login_insert = "INSERT INTO login_tokens (token_hash, user_id, created_ts, expires_ts)"
                            " VALUES ($1, $2, $3, $4) ON CONFLICT (token_hash) DO NOTHING",
            .login_purge = "DELETE FROM login_tokens WHERE expires_ts <= $1",
            .login_take = "DELETE FROM login_tokens WHERE token_hash = $1 RETURNING user_id, expires_ts",
            .refresh_insert = "INSERT INTO refresh_tokens"
                              " (token_hash, user_id, device_id, created_ts, replaces_hash)"
                              " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO NOTHING",
            // Two exchanges of one token take turns, so the second sees what the first issued.
            .refresh_lock = "SELECT r.user_id, r.device_id, r.replaces_hash FROM refresh_tokens r"
                            " JOIN accounts a ON a.user_id = r.user_id"
                            " WHERE r.token_hash = $1 AND NOT a.deactivated FOR UPDATE OF r",
            .refresh_remove = "DELETE FROM refresh_tokens WHERE token_hash = $1",
            .refresh_remove_successors = "DELETE FROM refresh_tokens WHERE replaces_hash = $1",
            .remove_retiring = "DELETE FROM access_tokens WHERE retires_refresh_hash = $1",
            .retire_refresh = "DELETE FROM refresh_tokens WHERE token_hash ="
                              " (SELECT retires_refresh_hash FROM access_tokens WHERE token_hash = $1)",
            .clear_retiring = "UPDATE access_tokens SET retires_refresh_hash = NULL"
                              " WHERE token_hash = $1 AND retires_refresh_hash IS NOT NULL",
            .remove_expired = "DELETE FROM access_tokens"
                              " WHERE user_id = $1 AND device_id = $2 AND expires_ts <= $3",
        },
    .events =
        {
            .stream_of = "SELECT stream FROM events WHERE event_id = $1",
            .next_stream = "UPDATE event_stream SET position = position + 1 RETURNING position",
            .next_backfill_stream = "UPDATE event_stream SET backfill_position = backfill_position - 1"
                                    " RETURNING backfill_position",
            .insert = "INSERT INTO events (event_id, room_id, type, state_key, sender, depth,"
                      " origin_server_ts, json, outlier, rejected_reason, soft_failed, stream,"
                      " relates_to, rel_type) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                      " $10, $11, $12, $13, $14)"
                      " ON CONFLICT (event_id) DO NOTHING",
            .insert_prev = "INSERT INTO event_prev_edges (event_id, prev_id, ordinal)"
                           " SELECT $1::text, value, ordinal"
                           " FROM jsonb_array_elements_text($2::jsonb)"
                           " WITH ORDINALITY AS j(value, ordinal) ON CONFLICT DO NOTHING",
            .insert_auth = "INSERT INTO event_auth_edges (event_id, auth_id, ordinal)"
                           " SELECT $1::text, value, ordinal"
                           " FROM jsonb_array_elements_text($2::jsonb)"
                           " WITH ORDINALITY AS j(value, ordinal) ON CONFLICT DO NOTHING",
            .streams_of = "SELECT event_id, stream FROM events"
                          " WHERE event_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))",
            .next_streams = "UPDATE event_stream SET position = position + $1 RETURNING position",
            .next_backfill_streams = "UPDATE event_stream SET backfill_position = backfill_position - $1"
                                     " RETURNING backfill_position",
            .insert_many = "INSERT INTO events (event_id, room_id, type, state_key, sender, depth,"
                           " origin_server_ts, json, outlier, rejected_reason, soft_failed, stream,"
                           " relates_to, rel_type) SELECT v->>0, v->>1, v->>2, v->>3, v->>4,"
                           " (v->>5)::bigint, (v->>6)::bigint, v->>7, (v->>8)::boolean, v->>9,"
                           " (v->>10)::boolean, (v->>11)::bigint, v->>12, v->>13"
                           " FROM jsonb_array_elements($1::jsonb) AS j(v)"
                           " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            .insert_prev_many = "INSERT INTO event_prev_edges (event_id, prev_id, ordinal)"
                                " SELECT v->>0, v->>1, (v->>2)::integer"
                                " FROM jsonb_array_elements($1::jsonb) AS j(v) ON CONFLICT DO NOTHING",
            .insert_auth_many = "INSERT INTO event_auth_edges (event_id, auth_id, ordinal)"
                                " SELECT v->>0, v->>1, (v->>2)::integer"
                                " FROM jsonb_array_elements($1::jsonb) AS j(v) ON CONFLICT DO NOTHING",
            .select_one = "SELECT " EVENT_COLUMNS " FROM events WHERE event_id = $1",
            .select_many = "SELECT " EVENT_COLUMNS " FROM events"
                           " WHERE event_id = ANY (ARRAY(SELECT"
                           " jsonb_array_elements_text($1::jsonb))) ORDER BY stream",
            .prev_of = "SELECT event_id, prev_id FROM event_prev_edges"
                       " WHERE event_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))"
                       " ORDER BY event_id, ordinal",
            .auth_of = "SELECT event_id, auth_id FROM event_auth_edges"
                       " WHERE event_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))"
                       " ORDER BY event_id, ordinal",
            .known = "SELECT event_id FROM events"
                     " WHERE event_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))"
                     " ORDER BY event_id",
            .max_stream = "SELECT position FROM event_stream",
            .room_forward = "SELECT " EVENT_COLUMNS " FROM events"
                            " WHERE room_id = $1 AND stream > $2 AND stream <= $3 AND " TIMELINE
                            " ORDER BY stream LIMIT $4",
            .room_backward = "SELECT " EVENT_COLUMNS " FROM events"
                             " WHERE room_id = $1 AND stream > $2 AND stream <= $3 AND " TIMELINE
                             " ORDER BY stream DESC LIMIT $4",
            .messages_forward = "SELECT " EVENT_COLUMNS " FROM events"
                                " WHERE room_id = $1 AND (depth, stream) > ($2, $3) AND " TIMELINE
                                " ORDER BY depth, stream LIMIT $4",
            .messages_backward = "SELECT " EVENT_COLUMNS " FROM events"
                                 " WHERE room_id = $1 AND (depth, stream) < ($2, $3) AND " TIMELINE
                                 " ORDER BY depth DESC, stream DESC LIMIT $4",
            // UNION (not UNION ALL) visits each event once, so a cycle cannot loop forever.
            .relations_forward = RELATED_EVENTS " ORDER BY stream LIMIT $8",
            .relations_backward = RELATED_EVENTS " ORDER BY stream DESC LIMIT $8",
            // Roots are listed by their newest thread event; participation counts the root's
            // sender and the senders of the thread's events.
            .thread_roots = "WITH threads(root_id, latest, replies) AS ("
                            " SELECT relates_to, MAX(stream), COUNT(*) FROM events"
                            " WHERE room_id = $1 AND rel_type = 'm.thread' AND " TIMELINE
                            " GROUP BY relates_to),"
                            " roots AS (SELECT " EVENT_COLUMNS ", threads.latest, threads.replies,"
                            " sender = $2 OR EXISTS (SELECT 1 FROM events r"
                            " WHERE r.relates_to = events.event_id AND r.rel_type = 'm.thread'"
                            " AND r.sender = $2"
                            " AND NOT r.outlier AND r.rejected_reason IS NULL"
                            " AND NOT r.soft_failed) AS participated"
                            " FROM threads JOIN events ON events.event_id = threads.root_id"
                            " WHERE events.room_id = $1 AND latest < $4 AND " TIMELINE ")"
                            " SELECT * FROM roots WHERE NOT $3::boolean OR participated"
                            " ORDER BY latest DESC LIMIT $5",
            .relation_counts = "SELECT relates_to, rel_type, COUNT(*), COUNT(*) FILTER (WHERE sender = $3)"
                               " FROM events WHERE room_id = $1"
                               " AND relates_to = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))"
                               " AND rel_type IS NOT NULL AND " TIMELINE
                               " GROUP BY relates_to, rel_type ORDER BY relates_to, rel_type",
            .near_ts_forward = "SELECT " EVENT_COLUMNS " FROM events"
                               " WHERE room_id = $1 AND origin_server_ts >= $2 AND " TIMELINE
                               " ORDER BY origin_server_ts, stream LIMIT 1",
            .near_ts_backward = "SELECT " EVENT_COLUMNS " FROM events"
                                " WHERE room_id = $1 AND origin_server_ts <= $2 AND " TIMELINE
                                " ORDER BY origin_server_ts DESC, stream DESC LIMIT 1",
            .auth_chain = "WITH RECURSIVE chain(id) AS ("
                          " SELECT auth_id FROM event_auth_edges"
                          " WHERE event_id = ANY (ARRAY(SELECT"
                          " jsonb_array_elements_text($1::jsonb)))"
                          " UNION SELECT a.auth_id FROM event_auth_edges a"
                          " JOIN chain c ON a.event_id = c.id)"
                          " SELECT id FROM chain ORDER BY id",
            .children = "SELECT event_id FROM event_prev_edges WHERE prev_id = $1 ORDER BY"
                        " event_id",
            .set_rejected = "UPDATE events SET rejected_reason = $2 WHERE event_id = $1",
            .set_soft_failed = "UPDATE events SET soft_failed = $2 WHERE event_id = $1",
            .set_redacted_by = "UPDATE events SET redacted_by = $2 WHERE event_id = $1",
            .promote_outlier = "UPDATE events SET outlier = FALSE WHERE event_id = $1 AND outlier",
        },
    .state =
        {
            .group_info = "SELECT room_id, position FROM state_groups WHERE group_id = $1",
            .base_chain = "WITH RECURSIVE " BASE_CHAIN
                          " SELECT group_id, position, room_id FROM chain ORDER BY position DESC",
            .insert_group = "INSERT INTO state_groups (room_id, parent_id, base_id, position)"
                            " VALUES ($1, $2, $3, $4) RETURNING group_id",
            .entries_of = "SELECT group_id, key_nid, event_nid FROM state_group_entries"
                          " WHERE group_id = ANY (ARRAY(SELECT"
                          " jsonb_array_elements_text($1::jsonb)::bigint))",
            .insert_entries = "INSERT INTO state_group_entries (group_id, key_nid, event_nid)"
                              " SELECT $1::bigint, (value ->> 0)::bigint, (value ->> 1)::bigint"
                              " FROM jsonb_array_elements($2::jsonb) AS j(value)",
            .add_keys = "INSERT INTO state_keys (type, state_key)"
                        " SELECT value ->> 0, value ->> 1 FROM jsonb_array_elements($1::jsonb)"
                        " AS j(value) ON CONFLICT DO NOTHING",
            // A scalar subquery per key: an index probe whatever the planner guesses.
            .key_nids = "SELECT (SELECT k.key_nid FROM state_keys k"
                        " WHERE k.type = j.value ->> 0 AND k.state_key = j.value ->> 1),"
                        " j.value ->> 0, j.value ->> 1 FROM jsonb_array_elements($1::jsonb)"
                        " AS j(value)",
            .key_names = "SELECT type, state_key FROM state_keys"
                         " WHERE key_nid = ANY (ARRAY(SELECT"
                         " jsonb_array_elements_text($1::jsonb)::bigint))",
            .event_nids = "SELECT event_id, stream FROM events"
                          " WHERE event_id = ANY (ARRAY(SELECT"
                          " jsonb_array_elements_text($1::jsonb)))",
            // The nearest group along the base chain decides each key; NULL event_nid rows
            // (removals) then fall out of the join with events.
            .state_map = "WITH RECURSIVE " BASE_CHAIN ","
                         " ranked AS (SELECT e.key_nid, e.event_nid, ROW_NUMBER() OVER"
                         " (PARTITION BY e.key_nid ORDER BY c.position DESC) AS nearness"
                         " FROM chain c JOIN state_group_entries e ON e.group_id = c.group_id)"
                         " SELECT k.type, k.state_key, v.event_id FROM ranked r"
                         " JOIN state_keys k ON k.key_nid = r.key_nid"
                         " JOIN events v ON v.stream = r.event_nid WHERE r.nearness = 1",
            // Scalar subqueries make every step an index probe: per wanted key its number,
            // the nearest group of the chain holding it, and its event. (Joins would be
            // planned from a guessed 100 rows out of the JSON and scan whole tables.)
            .state_for_keys =
                "WITH RECURSIVE " BASE_CHAIN ","
                " wanted AS (SELECT j.value ->> 0 AS type, j.value ->> 1 AS state_key,"
                " (SELECT k.key_nid FROM state_keys k"
                " WHERE k.type = j.value ->> 0 AND k.state_key = j.value ->> 1) AS key_nid"
                " FROM jsonb_array_elements($2::jsonb) AS j(value)),"
                " nearest AS (SELECT w.type, w.state_key, (SELECT e.event_nid FROM chain c"
                " JOIN state_group_entries e ON e.group_id = c.group_id AND e.key_nid = w.key_nid"
                " ORDER BY c.position DESC LIMIT 1) AS event_nid FROM wanted w)"
                " SELECT type, state_key, event_id FROM (SELECT n.type, n.state_key,"
                " (SELECT v.event_id FROM events v WHERE v.stream = n.event_nid) AS event_id"
                " FROM nearest n) AS found WHERE event_id IS NOT NULL",
            .set_event_group = "INSERT INTO event_state_groups (event_nid, group_id)"
                               " SELECT stream, $2::bigint FROM events WHERE event_id = $1"
                               " ON CONFLICT DO NOTHING",
            .set_new_event_group = "INSERT INTO event_state_groups (event_nid, group_id) VALUES ($1, $2)",
            .event_group = "SELECT s.group_id FROM events e"
                           " JOIN event_state_groups s ON s.event_nid = e.stream"
                           " WHERE e.event_id = $1",
        },
    .rooms =
        {
            .insert = "INSERT INTO rooms (room_id, room_version, created_ts, creator, is_public)"
                      " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room_id) DO NOTHING",
            .lock = "SELECT room_id, room_version, created_ts, creator, is_public FROM rooms WHERE room_id = $1"
                    " FOR UPDATE",
            .select_one = "SELECT room_id, room_version, created_ts, creator, is_public"
                          " FROM rooms WHERE room_id = $1",
            .public_after = "SELECT room_id, room_version, created_ts, creator, is_public"
                            " FROM rooms WHERE is_public AND room_id > $1"
                            " ORDER BY room_id LIMIT $2",
            .set_public = "UPDATE rooms SET is_public = $2 WHERE room_id = $1",
            .extremities = "SELECT event_id FROM room_forward_extremities WHERE room_id = $1"
                           " ORDER BY event_id",
            .remove_extremities = "DELETE FROM room_forward_extremities WHERE room_id = $1"
                                  " AND event_id = ANY (ARRAY(SELECT"
                                  " jsonb_array_elements_text($2::jsonb)))",
            .clear_extremities = "DELETE FROM room_forward_extremities WHERE room_id = $1",
            .add_extremity = "INSERT INTO room_forward_extremities (room_id, event_id)"
                             " VALUES ($1, $2) ON CONFLICT DO NOTHING",
            .backward_extremities = "SELECT event_id FROM room_backward_extremities WHERE room_id = $1"
                                    " ORDER BY event_id",
            .remove_backward_extremity = "DELETE FROM room_backward_extremities"
                                         " WHERE room_id = $1 AND event_id = $2",
            .add_backward_extremities = "INSERT INTO room_backward_extremities (room_id, event_id)"
                                        " SELECT $1, id FROM jsonb_array_elements_text($2::jsonb) AS ids(id)"
                                        " WHERE NOT EXISTS (SELECT 1 FROM events"
                                        " WHERE events.event_id = ids.id AND NOT outlier)"
                                        " ON CONFLICT DO NOTHING",
            .state_all = "SELECT type, state_key, event_id FROM room_current_state"
                         " WHERE room_id = $1",
            .state_one = "SELECT event_id FROM room_current_state"
                         " WHERE room_id = $1 AND type = $2 AND state_key = $3",
            .state_of_type = "SELECT type, state_key, event_id FROM room_current_state"
                             " WHERE room_id = $1 AND type = $2",
            .state_some = "SELECT type, state_key, event_id FROM room_current_state WHERE room_id = $1"
                          " AND (type, state_key) IN (SELECT v->>0, v->>1 FROM jsonb_array_elements($2::jsonb) AS j(v))",
            .state_put = "INSERT INTO room_current_state (room_id, type, state_key, event_id)"
                         " VALUES ($1, $2, $3, $4) ON CONFLICT (room_id, type, state_key)"
                         " DO UPDATE SET event_id = excluded.event_id",
            .state_remove = "DELETE FROM room_current_state"
                            " WHERE room_id = $1 AND type = $2 AND state_key = $3",
            .state_put_many = "INSERT INTO room_current_state (room_id, type, state_key, event_id)"
                              " SELECT $1::text, v->>0, v->>1, v->>2 FROM jsonb_array_elements($2::jsonb) AS j(v)"
                              " ON CONFLICT (room_id, type, state_key)"
                              " DO UPDATE SET event_id = excluded.event_id",
            .state_remove_many = "DELETE FROM room_current_state WHERE room_id = $1 AND (type, state_key)"
                                 " IN (SELECT v->>0, v->>1 FROM jsonb_array_elements($2::jsonb) AS j(v))",
            .member_one = "SELECT " MEMBER_SELECT " FROM room_memberships"
                          " WHERE room_id = $1 AND user_id = $2",
            .rooms_for_user = "SELECT " MEMBER_SELECT " FROM room_memberships"
                              " WHERE user_id = $1 AND membership = $2 ORDER BY room_id",
            .members = "SELECT " MEMBER_SELECT " FROM room_memberships"
                       " WHERE room_id = $1 AND membership = $2 ORDER BY user_id",
            .joined_servers = "SELECT DISTINCT substring(user_id from position(':' in user_id) + 1) AS server"
                              " FROM room_memberships WHERE room_id = $1 AND membership = 'join' ORDER BY server",
            .member_put = "INSERT INTO room_memberships (" MEMBER_COLUMNS ")"
                          " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room_id, user_id)"
                          " DO UPDATE SET membership = excluded.membership,"
                          " event_id = excluded.event_id, stream = excluded.stream, forgotten = FALSE",
            .member_put_many = "INSERT INTO room_memberships (" MEMBER_COLUMNS ")"
                               " SELECT v->>0, v->>1, v->>2, v->>3, (v->>4)::bigint"
                               " FROM jsonb_array_elements($1::jsonb) AS j(v) ON CONFLICT (room_id, user_id)"
                               " DO UPDATE SET membership = excluded.membership,"
                               " event_id = excluded.event_id, stream = excluded.stream, forgotten = FALSE",
            .member_forget = "UPDATE room_memberships SET forgotten = TRUE WHERE room_id = $1 AND user_id = $2"
                             " AND membership IN ('leave', 'ban')",
            .alias_insert = "INSERT INTO room_aliases (alias, room_id, creator)"
                            " VALUES ($1, $2, $3) ON CONFLICT (alias) DO NOTHING",
            .alias_one = "SELECT alias, room_id, creator FROM room_aliases WHERE alias = $1",
            .aliases_of = "SELECT alias FROM room_aliases WHERE room_id = $1 ORDER BY alias",
            .alias_remove = "DELETE FROM room_aliases WHERE alias = $1",
            .txn_insert = "INSERT INTO client_transactions (" TXN_COLUMNS ")"
                          " VALUES ($1, $2, $3, $4, $5, $6)"
                          " ON CONFLICT (user_id, device_id, txn_id) DO NOTHING",
            .txn_one = "SELECT " TXN_COLUMNS " FROM client_transactions"
                       " WHERE user_id = $1 AND device_id = $2 AND txn_id = $3",
            .txn_of_event = "SELECT " TXN_COLUMNS " FROM client_transactions"
                            " WHERE user_id = $1 AND device_id = $2 AND event_id = $3",
        },
    .registration_tokens =
        {
            .insert = "INSERT INTO registration_tokens (token, uses_allowed, completed, expiry_time, created_ts)"
                      " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token) DO NOTHING",
            .select_one = "SELECT token, uses_allowed, completed, expiry_time, created_ts"
                          " FROM registration_tokens WHERE token = $1",
            .select_all = "SELECT token, uses_allowed, completed, expiry_time, created_ts"
                          " FROM registration_tokens ORDER BY token",
            .consume = "UPDATE registration_tokens SET completed = completed + 1 WHERE token = $1"
                       " AND (uses_allowed IS NULL OR completed < uses_allowed)"
                       " AND (expiry_time IS NULL OR $2 < expiry_time)",
            .remove = "DELETE FROM registration_tokens WHERE token = $1",
        },
    .receipts =
        {
            .upsert = "INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, ts)"
                      " VALUES ($1, $2, $3, $4, $5, $6)"
                      " ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE"
                      " SET event_id = excluded.event_id, ts = excluded.ts, stream_id = nextval('receipts_stream')",
            .changed_since = "SELECT room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id FROM receipts"
                             " WHERE room_id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND stream_id > $2 ORDER BY stream_id",
            .max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM receipts",
        },
    .to_device =
        {
            .insert = "INSERT INTO device_inbox (user_id, device_id, sender, type, content)"
                      " VALUES ($1, $2, $3, $4, $5)",
            .pending = "SELECT sender, type, content, stream_id FROM device_inbox"
                       " WHERE user_id = $1 AND device_id = $2 AND stream_id > $3 ORDER BY stream_id LIMIT $4",
            .max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM device_inbox",
            .acknowledge = "DELETE FROM device_inbox WHERE user_id = $1 AND device_id = $2 AND stream_id <= $3",
        },
    .federation_outbox =
        {
            .insert = "INSERT INTO federation_outbox (destination, kind, body) VALUES ($1, $2, $3)",
            .due = "SELECT o.destination FROM federation_outbox o"
                   " LEFT JOIN federation_destinations d ON d.destination = o.destination"
                   " WHERE d.retry_at_ms IS NULL OR d.retry_at_ms <= $1"
                   " GROUP BY o.destination ORDER BY MIN(o.stream_id) LIMIT $2",
            .next_retry = "SELECT MIN(d.retry_at_ms) FROM federation_destinations d"
                          " WHERE EXISTS (SELECT 1 FROM federation_outbox o WHERE o.destination = d.destination)",
            .pending = "SELECT stream_id, body FROM federation_outbox WHERE destination = $1 AND kind = $2"
                       " ORDER BY stream_id LIMIT $3",
            .remove = "DELETE FROM federation_outbox WHERE destination = $1"
                      " AND stream_id IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint)",
            .backoff = "SELECT retry_at_ms, backoff_ms, last_error FROM federation_destinations WHERE destination = $1",
            .upsert_backoff = "INSERT INTO federation_destinations (destination, retry_at_ms, backoff_ms, last_error)"
                              " VALUES ($1, $2, $3, $4) ON CONFLICT (destination) DO UPDATE SET"
                              " retry_at_ms = excluded.retry_at_ms, backoff_ms = excluded.backoff_ms,"
                              " last_error = excluded.last_error",
            .clear_backoff = "DELETE FROM federation_destinations WHERE destination = $1",
        },
    .e2e_keys =
        {
            .device_keys_one = "SELECT key_json FROM e2e_device_keys WHERE user_id = $1 AND device_id = $2",
            .device_keys_of = "SELECT k.user_id, k.device_id, k.key_json, d.display_name FROM e2e_device_keys k"
                              " JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id"
                              " WHERE k.user_id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY k.user_id, k.device_id",
            .device_keys_set = "INSERT INTO e2e_device_keys (user_id, device_id, key_json) VALUES ($1, $2, $3)"
                               " ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = excluded.key_json",
            .otk_one = "SELECT key_json FROM e2e_one_time_keys"
                       " WHERE user_id = $1 AND device_id = $2 AND algorithm = $3 AND key_id = $4",
            .otk_counts = "SELECT algorithm, COUNT(*) FROM e2e_one_time_keys WHERE user_id = $1 AND device_id = $2"
                          " GROUP BY algorithm",
            .otk_insert = "INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json)"
                          " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            // A row locked by a concurrent claim is skipped, so two claims never share a key.
            .otk_claim = "DELETE FROM e2e_one_time_keys WHERE (user_id, device_id, algorithm, key_id) IN"
                         " (SELECT user_id, device_id, algorithm, key_id FROM e2e_one_time_keys"
                         " WHERE user_id = $1 AND device_id = $2 AND algorithm = $3 ORDER BY key_id LIMIT 1"
                         " FOR UPDATE SKIP LOCKED)"
                         " RETURNING key_id, key_json",
            .fallback_one = "SELECT key_id, key_json FROM e2e_fallback_keys"
                            " WHERE user_id = $1 AND device_id = $2 AND algorithm = $3",
            .fallback_unused = "SELECT algorithm FROM e2e_fallback_keys WHERE user_id = $1 AND device_id = $2"
                               " AND used = FALSE ORDER BY algorithm",
            .fallback_set = "INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used)"
                            " VALUES ($1, $2, $3, $4, $5, FALSE) ON CONFLICT (user_id, device_id, algorithm) DO UPDATE"
                            " SET key_id = excluded.key_id, key_json = excluded.key_json, used = FALSE",
            .fallback_claim = "UPDATE e2e_fallback_keys SET used = TRUE"
                              " WHERE user_id = $1 AND device_id = $2 AND algorithm = $3 RETURNING key_id, key_json",
            .cross_signing_of = "SELECT user_id, usage, key_json FROM e2e_cross_signing_keys"
                                " WHERE user_id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY user_id, usage",
            .cross_signing_set = "INSERT INTO e2e_cross_signing_keys (user_id, usage, key_json) VALUES ($1, $2, $3)"
                                 " ON CONFLICT (user_id, usage) DO UPDATE SET key_json = excluded.key_json",
            .signatures_of = "SELECT signer_user_id, target_user_id, target_key_id, signing_key_id, signature"
                             " FROM e2e_signatures WHERE target_user_id IN (SELECT jsonb_array_elements_text($1::jsonb))"
                             " ORDER BY target_user_id, target_key_id, signer_user_id, signing_key_id",
            .signature_set = "INSERT INTO e2e_signatures"
                             " (signer_user_id, target_user_id, target_key_id, signing_key_id, signature)"
                             " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (target_user_id, target_key_id, signer_user_id, signing_key_id) DO UPDATE SET signature = excluded.signature",
            .list_changes = "SELECT user_id FROM device_list_changes WHERE stream_id > $1 AND stream_id <= $2"
                            " ORDER BY user_id",
            .list_max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM device_list_changes",
            .list_position = "SELECT stream_id FROM device_list_changes WHERE user_id = $1",
            .list_mark = "INSERT INTO device_list_changes (user_id, stream_id)"
                         " VALUES ($1, nextval('device_list_stream'))"
                         " ON CONFLICT (user_id) DO UPDATE SET stream_id = excluded.stream_id RETURNING stream_id",
            .seen_changes =
                "SELECT o.user_id, o.membership, o.stream > $2 AND o.stream <= $3, me.membership,"
                " me.stream > $2 AND me.stream <= $3"
                " FROM room_memberships me JOIN room_memberships o ON o.room_id = me.room_id"
                " WHERE me.user_id = $1 AND o.user_id <> $1"
                " AND (me.membership = 'join' OR (me.membership IN ('leave', 'ban') AND me.stream > $2 AND me.stream <= $3))"
                " AND ((o.stream > $2 AND o.stream <= $3) OR (me.stream > $2 AND me.stream <= $3))",
            .sharing = "SELECT DISTINCT o.user_id FROM room_memberships me JOIN room_memberships o ON o.room_id = me.room_id"
                       " WHERE me.user_id = $1 AND me.membership = 'join' AND o.membership IN ('join', 'invite')"
                       " AND o.user_id IN (SELECT jsonb_array_elements_text($2::jsonb)) ORDER BY o.user_id",
        },
    .key_backup =
        {
            .latest = "SELECT version, algorithm, auth_data, etag FROM backup_versions"
                      " WHERE user_id = $1 AND deleted = FALSE ORDER BY version DESC LIMIT 1",
            .version_one = "SELECT version, algorithm, auth_data, etag FROM backup_versions"
                           " WHERE user_id = $1 AND version = $2 AND deleted = FALSE",
            .version_insert = "INSERT INTO backup_versions (user_id, version, algorithm, auth_data)"
                              " VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM backup_versions"
                              " WHERE user_id = $1), $2, $3) RETURNING version",
            .version_update = "UPDATE backup_versions SET auth_data = $3"
                              " WHERE user_id = $1 AND version = $2 AND deleted = FALSE",
            .version_delete = "UPDATE backup_versions SET deleted = TRUE"
                              " WHERE user_id = $1 AND version = $2 AND deleted = FALSE",
            .keys = "SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data"
                    " FROM backup_room_keys WHERE user_id = $1 AND version = $2"
                    " AND ($3::text IS NULL OR room_id = $3) AND ($4::text IS NULL OR session_id = $4)"
                    " ORDER BY room_id, session_id",
            .count = "SELECT COUNT(*) FROM backup_room_keys WHERE user_id = $1 AND version = $2",
            .key_set = "INSERT INTO backup_room_keys (user_id, version, room_id, session_id, first_message_index,"
                       " forwarded_count, is_verified, session_data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                       " ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE SET"
                       " first_message_index = excluded.first_message_index,"
                       " forwarded_count = excluded.forwarded_count, is_verified = excluded.is_verified,"
                       " session_data = excluded.session_data",
            .keys_delete = "DELETE FROM backup_room_keys WHERE user_id = $1 AND version = $2"
                           " AND ($3::text IS NULL OR room_id = $3) AND ($4::text IS NULL OR session_id = $4)",
            .bump_etag = "UPDATE backup_versions SET etag = etag + 1 WHERE user_id = $1 AND version = $2",
        },
    .federation_inbox = federation_inbox_sql,
    .notifications = notification_sql,
    .pushers = pusher_sql,
    .search = search_sql,
    .reports = report_sql,
    .server_keys = server_key_sql,
    .media = media_sql,
    .admin = admin_sql,
    .appservices = appservice_sql,
};

#undef EVENT_COLUMNS
#undef MEMBER_COLUMNS
#undef MEMBER_SELECT
#undef TXN_COLUMNS
#undef TIMELINE
#undef BASE_CHAIN
#undef RELATED_EVENTS

}  // namespace

const sql::Dialect& dialect() { return postgres_dialect; }

}  // namespace ranvier::storage::postgres
