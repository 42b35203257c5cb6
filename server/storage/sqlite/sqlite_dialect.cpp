// All SQL the SQLite backend runs besides its migration files.

#include "storage/sqlite/sqlite_dialect.hpp"

#include "storage/sqlite/admin_sql.hpp"
#include "storage/sqlite/federation_inbox_sql.hpp"
#include "storage/sqlite/notification_sql.hpp"
#include "storage/sqlite/server_key_sql.hpp"
#include "storage/sqlite/media_sql.hpp"
#include "storage/sqlite/appservice_sql.hpp"

namespace ranvier::storage::sqlite {
namespace {

// Column lists and conditions repeated across statements (the order is queries.hpp's).
#define EVENT_COLUMNS                                                                    \
  "event_id, room_id, type, state_key, sender, depth, origin_server_ts, json, outlier," \
  " rejected_reason, soft_failed, stream, redacted_by, relates_to, rel_type"
#define MEMBER_COLUMNS "room_id, user_id, membership, event_id, stream"
#define MEMBER_SELECT MEMBER_COLUMNS ", forgotten"
#define TXN_COLUMNS "user_id, device_id, txn_id, room_id, event_id, request_digest"
// Clients never see outliers, rejected or soft-failed events.
#define TIMELINE "outlier = 0 AND rejected_reason IS NULL AND soft_failed = 0"
// Events of room ?1 relating to event ?2 within ?5 relations, of rel_type ?3 and type ?4
// when given, with ?6 < stream <= ?7 (/relations). A relation names one target, so the
// walk is a tree; the depth bounds it anyway.
#define RELATED_EVENTS                                                                 \
  "WITH RECURSIVE related(event_id, hops) AS ("                                        \
  " SELECT event_id, 1 FROM events"                                                    \
  " WHERE relates_to = ?2 AND room_id = ?1 AND " TIMELINE                              \
  " UNION SELECT e.event_id, r.hops + 1 FROM events e"                                 \
  " JOIN related r ON e.relates_to = r.event_id"                                       \
  " WHERE r.hops < ?5 AND e.room_id = ?1"                                              \
  " AND e.outlier = 0 AND e.rejected_reason IS NULL"                                   \
  " AND e.soft_failed = 0)"                                                            \
  " SELECT " EVENT_COLUMNS " FROM events"                                              \
  " WHERE event_id IN (SELECT event_id FROM related)"                                  \
  " AND (?3 IS NULL OR rel_type = ?3)"                                                 \
  " AND (?4 IS NULL OR type = ?4)"                                                     \
  " AND stream > ?6 AND stream <= ?7 AND " TIMELINE
// A group and the groups its base links lead to, with their positions.
#define BASE_CHAIN                                                                       \
  "chain(group_id, base_id, position, room_id) AS ("                                     \
  " SELECT group_id, base_id, position, room_id FROM state_groups WHERE group_id = ?1" \
  " UNION ALL SELECT g.group_id, g.base_id, g.position, g.room_id FROM state_groups g" \
  " JOIN chain c ON g.group_id = c.base_id)"

constexpr sql::Dialect sqlite_dialect{
    // DEFERRED: a reader takes its snapshot at its first SELECT and never blocks the writer.
    .begin_read = "BEGIN DEFERRED",
    // IMMEDIATE: take the write lock up front, so a transaction that reads then writes cannot
    // fail half-way with SQLITE_BUSY when another process (register-user) holds the lock; it
    // waits busy_timeout instead.
    .begin_write = "BEGIN IMMEDIATE",
    .commit = "COMMIT",
    .rollback = "ROLLBACK",
    .migrations =
        {
            .prepare = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER NOT NULL PRIMARY KEY,"
                       " name TEXT NOT NULL,"
                       " applied_ts INTEGER NOT NULL) STRICT",
            .max_version = "SELECT MAX(version) FROM schema_migrations",
            .record = "INSERT INTO schema_migrations (version, name, applied_ts)"
                      " VALUES (?1, ?2, ?3)",
        },
    .accounts =
        {
            .insert = "INSERT INTO accounts"
                      " (user_id, password_hash, is_admin, is_guest, created_ts, deactivated)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id) DO NOTHING",
            .select_one = "SELECT user_id, password_hash, is_admin, is_guest, created_ts,"
                          " deactivated, locked, suspended FROM accounts WHERE user_id = ?1",
            .counts = "SELECT COUNT(*), COUNT(*) FILTER (WHERE is_admin = 1),"
                      " COUNT(*) FILTER (WHERE is_guest = 1),"
                      " COUNT(*) FILTER (WHERE deactivated = 1) FROM accounts",
            .list_after = "SELECT user_id, password_hash, is_admin, is_guest, created_ts,"
                          " deactivated, locked, suspended FROM accounts WHERE user_id > ?1"
                          " ORDER BY user_id LIMIT ?2",
            .set_password = "UPDATE accounts SET password_hash = ?2 WHERE user_id = ?1",
            .set_admin = "UPDATE accounts SET is_admin = ?2 WHERE user_id = ?1",
            .deactivate = "UPDATE accounts SET deactivated = 1, password_hash = NULL"
                          " WHERE user_id = ?1",
            // Write transactions already hold SQLite's single write lock.
            .lock = "SELECT 1 FROM accounts WHERE user_id = ?1",
            .set_locked = "UPDATE accounts SET locked = ?2 WHERE user_id = ?1",
            .set_suspended = "UPDATE accounts SET suspended = ?2 WHERE user_id = ?1",
        },
    .account_data =
        {
            .select_one = "SELECT content FROM account_data WHERE user_id = ?1 AND room_id = ?2 AND type = ?3",
            // Writes are serialized on SQLite, so MAX + 1 is a safe next position.
            .upsert = "INSERT INTO account_data (user_id, room_id, type, content, stream_id)"
                      " VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(stream_id), 0) + 1 FROM account_data))"
                      " ON CONFLICT (user_id, room_id, type) DO UPDATE"
                      " SET content = excluded.content, stream_id = excluded.stream_id",
            .select_filter = "SELECT filter FROM filters WHERE user_id = ?1 AND filter_id = ?2",
            .insert_filter = "INSERT INTO filters (user_id, filter) VALUES (?1, ?2) RETURNING filter_id",
            .changed_since = "SELECT room_id, type, content, stream_id FROM account_data"
                             " WHERE user_id = ?1 AND stream_id > ?2 ORDER BY stream_id",
            .max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM account_data",
        },
    .devices =
        {
            .insert = "INSERT INTO devices (user_id, device_id, display_name, created_ts,"
                      " last_seen_ts, last_seen_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                      " ON CONFLICT (user_id, device_id) DO NOTHING",
            .select_one = "SELECT user_id, device_id, display_name, created_ts, last_seen_ts,"
                          " last_seen_ip, last_seen_user_agent FROM devices WHERE user_id = ?1 AND device_id = ?2",
            .list_for_user = "SELECT user_id, device_id, display_name, created_ts, last_seen_ts,"
                             " last_seen_ip, last_seen_user_agent FROM devices WHERE user_id = ?1 ORDER BY device_id",
            .set_display_name = "UPDATE devices SET display_name = ?3"
                                " WHERE user_id = ?1 AND device_id = ?2",
            .touch = "UPDATE devices SET last_seen_ts = ?3, last_seen_ip = ?4"
                     " WHERE user_id = ?1 AND device_id = ?2",
            .record_request = "UPDATE devices SET last_seen_ts = ?3, last_seen_ip = ?4,"
                              " last_seen_user_agent = ?5 WHERE user_id = ?1 AND device_id = ?2",
            .remove = "DELETE FROM devices WHERE user_id = ?1 AND device_id = ?2",
            .remove_all = "DELETE FROM devices WHERE user_id = ?1",
        },
    .profiles =
        {
            .select_one = "SELECT profile FROM profiles WHERE user_id = ?1",
            .upsert = "INSERT INTO profiles (user_id, profile) VALUES (?1, ?2)"
                      " ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile",
        },
    .tokens =
        {
            .insert = "INSERT INTO access_tokens"
                      " (token_hash, user_id, device_id, created_ts, expires_ts, retires_refresh_hash)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (token_hash) DO NOTHING",
            .lookup = "SELECT t.user_id, t.device_id, a.is_guest, a.is_admin, t.created_ts,"
                      " t.expires_ts, t.retires_refresh_hash IS NOT NULL, a.locked, a.suspended,"
                      " CASE WHEN d.last_seen_user_agent IS NULL THEN NULL ELSE d.last_seen_ts END"
                      " FROM access_tokens t JOIN accounts a ON a.user_id = t.user_id"
                      " JOIN devices d ON d.user_id = t.user_id AND d.device_id = t.device_id"
                      " WHERE t.token_hash = ?1 AND a.deactivated = 0",
            .remove = "DELETE FROM access_tokens WHERE token_hash = ?1",
            .remove_for_device = "DELETE FROM access_tokens WHERE user_id = ?1 AND device_id = ?2",
            .remove_for_user = "DELETE FROM access_tokens WHERE user_id = ?1",
            .login_insert = "INSERT INTO login_tokens (token_hash, user_id, created_ts, expires_ts)"
                            " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (token_hash) DO NOTHING",
            .login_purge = "DELETE FROM login_tokens WHERE expires_ts <= ?1",
            .login_take = "DELETE FROM login_tokens WHERE token_hash = ?1 RETURNING user_id, expires_ts",
            .refresh_insert = "INSERT INTO refresh_tokens"
                              " (token_hash, user_id, device_id, created_ts, replaces_hash)"
                              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (token_hash) DO NOTHING",
            // The single SQLite writer already serializes exchanges of one token.
            .refresh_lock = "SELECT r.user_id, r.device_id, r.replaces_hash FROM refresh_tokens r"
                            " JOIN accounts a ON a.user_id = r.user_id"
                            " WHERE r.token_hash = ?1 AND a.deactivated = 0",
            .refresh_remove = "DELETE FROM refresh_tokens WHERE token_hash = ?1",
            .refresh_remove_successors = "DELETE FROM refresh_tokens WHERE replaces_hash = ?1",
            .remove_retiring = "DELETE FROM access_tokens WHERE retires_refresh_hash = ?1",
            .retire_refresh = "DELETE FROM refresh_tokens WHERE token_hash ="
                              " (SELECT retires_refresh_hash FROM access_tokens WHERE token_hash = ?1)",
            .clear_retiring = "UPDATE access_tokens SET retires_refresh_hash = NULL"
                              " WHERE token_hash = ?1 AND retires_refresh_hash IS NOT NULL",
            .remove_expired = "DELETE FROM access_tokens"
                              " WHERE user_id = ?1 AND device_id = ?2 AND expires_ts <= ?3",
        },
    .events =
        {
            .stream_of = "SELECT stream FROM events WHERE event_id = ?1",
            .next_stream = "UPDATE event_stream SET position = position + 1 RETURNING position",
            .next_backfill_stream = "UPDATE event_stream SET backfill_position = backfill_position - 1"
                                    " RETURNING backfill_position",
            .insert = "INSERT INTO events (event_id, room_id, type, state_key, sender, depth,"
                      " origin_server_ts, json, outlier, rejected_reason, soft_failed, stream,"
                      " relates_to, rel_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                      " ?10, ?11, ?12, ?13, ?14)"
                      " ON CONFLICT (event_id) DO NOTHING",
            // WHERE true: SQLite needs it to parse ON CONFLICT after INSERT ... SELECT.
            .insert_prev = "INSERT INTO event_prev_edges (event_id, prev_id, ordinal)"
                           " SELECT ?1, value, key FROM json_each(?2) WHERE true"
                           " ON CONFLICT DO NOTHING",
            .insert_auth = "INSERT INTO event_auth_edges (event_id, auth_id, ordinal)"
                           " SELECT ?1, value, key FROM json_each(?2) WHERE true"
                           " ON CONFLICT DO NOTHING",
            .streams_of = "SELECT event_id, stream FROM events"
                          " WHERE event_id IN (SELECT value FROM json_each(?1))",
            .next_streams = "UPDATE event_stream SET position = position + ?1 RETURNING position",
            .next_backfill_streams = "UPDATE event_stream SET backfill_position = backfill_position - ?1"
                                     " RETURNING backfill_position",
            .insert_many = "INSERT INTO events (event_id, room_id, type, state_key, sender, depth,"
                           " origin_server_ts, json, outlier, rejected_reason, soft_failed, stream,"
                           " relates_to, rel_type) SELECT value->>0, value->>1, value->>2, value->>3,"
                           " value->>4, value->>5, value->>6, value->>7, value->>8, value->>9,"
                           " value->>10, value->>11, value->>12, value->>13 FROM json_each(?1)"
                           " WHERE true ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            .insert_prev_many = "INSERT INTO event_prev_edges (event_id, prev_id, ordinal)"
                                " SELECT value->>0, value->>1, value->>2 FROM json_each(?1) WHERE true"
                                " ON CONFLICT DO NOTHING",
            .insert_auth_many = "INSERT INTO event_auth_edges (event_id, auth_id, ordinal)"
                                " SELECT value->>0, value->>1, value->>2 FROM json_each(?1) WHERE true"
                                " ON CONFLICT DO NOTHING",
            .select_one = "SELECT " EVENT_COLUMNS " FROM events WHERE event_id = ?1",
            .select_many = "SELECT " EVENT_COLUMNS " FROM events"
                           " WHERE event_id IN (SELECT value FROM json_each(?1)) ORDER BY stream",
            .prev_of = "SELECT event_id, prev_id FROM event_prev_edges"
                       " WHERE event_id IN (SELECT value FROM json_each(?1))"
                       " ORDER BY event_id, ordinal",
            .auth_of = "SELECT event_id, auth_id FROM event_auth_edges"
                       " WHERE event_id IN (SELECT value FROM json_each(?1))"
                       " ORDER BY event_id, ordinal",
            .known = "SELECT event_id FROM events"
                     " WHERE event_id IN (SELECT value FROM json_each(?1)) ORDER BY event_id",
            .max_stream = "SELECT position FROM event_stream",
            .room_forward = "SELECT " EVENT_COLUMNS " FROM events"
                            " WHERE room_id = ?1 AND stream > ?2 AND stream <= ?3 AND " TIMELINE
                            " ORDER BY stream LIMIT ?4",
            .room_backward = "SELECT " EVENT_COLUMNS " FROM events"
                             " WHERE room_id = ?1 AND stream > ?2 AND stream <= ?3 AND " TIMELINE
                             " ORDER BY stream DESC LIMIT ?4",
            .messages_forward = "SELECT " EVENT_COLUMNS " FROM events"
                                " WHERE room_id = ?1 AND (depth, stream) > (?2, ?3) AND " TIMELINE
                                " ORDER BY depth, stream LIMIT ?4",
            .messages_backward = "SELECT " EVENT_COLUMNS " FROM events"
                                 " WHERE room_id = ?1 AND (depth, stream) < (?2, ?3) AND " TIMELINE
                                 " ORDER BY depth DESC, stream DESC LIMIT ?4",
            .relations_forward = RELATED_EVENTS " ORDER BY stream LIMIT ?8",
            .relations_backward = RELATED_EVENTS " ORDER BY stream DESC LIMIT ?8",
            // Roots are listed by their newest thread event; participation counts the root's
            // sender and the senders of the thread's events.
            .thread_roots = "WITH threads(root_id, latest, replies) AS ("
                            " SELECT relates_to, MAX(stream), COUNT(*) FROM events"
                            " WHERE room_id = ?1 AND rel_type = 'm.thread' AND " TIMELINE
                            " GROUP BY relates_to),"
                            " roots AS (SELECT " EVENT_COLUMNS ", threads.latest, threads.replies,"
                            " sender = ?2 OR EXISTS (SELECT 1 FROM events r"
                            " WHERE r.relates_to = events.event_id AND r.rel_type = 'm.thread'"
                            " AND r.sender = ?2"
                            " AND r.outlier = 0 AND r.rejected_reason IS NULL"
                            " AND r.soft_failed = 0) AS participated"
                            " FROM threads JOIN events ON events.event_id = threads.root_id"
                            " WHERE events.room_id = ?1 AND latest < ?4 AND " TIMELINE ")"
                            " SELECT * FROM roots WHERE NOT ?3 OR participated"
                            " ORDER BY latest DESC LIMIT ?5",
            // CROSS JOIN keeps the IDs outermost: with `relates_to IN (...)` the planner scanned the
            // whole room through events_room_stream instead of looking each ID up in
            // events_relations. `+room_id` keeps it off the room's indexes too (without it, it
            // scanned the room through events_room_ts once per ID).
            .relation_counts = "SELECT relates_to, rel_type, COUNT(*), SUM(sender = ?3)"
                               " FROM (SELECT DISTINCT value FROM json_each(?2)) AS ids"
                               " CROSS JOIN events ON events.relates_to = ids.value"
                               " WHERE +room_id = ?1 AND rel_type IS NOT NULL AND " TIMELINE
                               " GROUP BY relates_to, rel_type ORDER BY relates_to, rel_type",
            .near_ts_forward = "SELECT " EVENT_COLUMNS " FROM events"
                               " WHERE room_id = ?1 AND origin_server_ts >= ?2 AND " TIMELINE
                               " ORDER BY origin_server_ts, stream LIMIT 1",
            .near_ts_backward = "SELECT " EVENT_COLUMNS " FROM events"
                                " WHERE room_id = ?1 AND origin_server_ts <= ?2 AND " TIMELINE
                                " ORDER BY origin_server_ts DESC, stream DESC LIMIT 1",
            // UNION (not UNION ALL) visits each event once, so a cycle cannot loop forever.
            .auth_chain = "WITH RECURSIVE chain(id) AS ("
                          " SELECT auth_id FROM event_auth_edges"
                          " WHERE event_id IN (SELECT value FROM json_each(?1))"
                          " UNION SELECT a.auth_id FROM event_auth_edges a"
                          " JOIN chain c ON a.event_id = c.id)"
                          " SELECT id FROM chain ORDER BY id",
            .children = "SELECT event_id FROM event_prev_edges WHERE prev_id = ?1 ORDER BY"
                        " event_id",
            .set_rejected = "UPDATE events SET rejected_reason = ?2 WHERE event_id = ?1",
            .set_soft_failed = "UPDATE events SET soft_failed = ?2 WHERE event_id = ?1",
            .set_redacted_by = "UPDATE events SET redacted_by = ?2 WHERE event_id = ?1",
            .promote_outlier = "UPDATE events SET outlier = 0 WHERE event_id = ?1 AND outlier = 1",
        },
    .state =
        {
            .group_info = "SELECT room_id, position FROM state_groups WHERE group_id = ?1",
            .base_chain = "WITH RECURSIVE " BASE_CHAIN
                          " SELECT group_id, position, room_id FROM chain ORDER BY position DESC",
            .insert_group = "INSERT INTO state_groups (room_id, parent_id, base_id, position)"
                            " VALUES (?1, ?2, ?3, ?4) RETURNING group_id",
            .entries_of = "SELECT group_id, key_nid, event_nid FROM state_group_entries"
                          " WHERE group_id IN (SELECT value FROM json_each(?1))",
            .insert_entries = "INSERT INTO state_group_entries (group_id, key_nid, event_nid)"
                              " SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]')"
                              " FROM json_each(?2)",
            .add_keys = "INSERT INTO state_keys (type, state_key)"
                        " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
                        " FROM json_each(?1) WHERE true ON CONFLICT DO NOTHING",
            .key_nids = "SELECT k.key_nid, k.type, k.state_key FROM json_each(?1) j"
                        " JOIN state_keys k ON k.type = json_extract(j.value, '$[0]')"
                        " AND k.state_key = json_extract(j.value, '$[1]')",
            .key_names = "SELECT type, state_key FROM state_keys"
                         " WHERE key_nid IN (SELECT value FROM json_each(?1))",
            .event_nids = "SELECT event_id, stream FROM events"
                          " WHERE event_id IN (SELECT value FROM json_each(?1))",
            // The nearest group along the base chain decides each key; NULL event_nid rows
            // (removals) then fall out of the join with events.
            .state_map = "WITH RECURSIVE " BASE_CHAIN ","
                         " ranked AS (SELECT e.key_nid, e.event_nid, ROW_NUMBER() OVER"
                         " (PARTITION BY e.key_nid ORDER BY c.position DESC) AS nearness"
                         " FROM chain c JOIN state_group_entries e ON e.group_id = c.group_id)"
                         " SELECT k.type, k.state_key, v.event_id FROM ranked r"
                         " JOIN state_keys k ON k.key_nid = r.key_nid"
                         " JOIN events v ON v.stream = r.event_nid WHERE r.nearness = 1",
            .state_for_keys =
                "WITH RECURSIVE " BASE_CHAIN ","
                " wanted AS (SELECT k.key_nid, k.type, k.state_key FROM json_each(?2) j"
                " JOIN state_keys k ON k.type = json_extract(j.value, '$[0]')"
                " AND k.state_key = json_extract(j.value, '$[1]')),"
                " ranked AS (SELECT w.type, w.state_key, e.event_nid, ROW_NUMBER() OVER"
                " (PARTITION BY e.key_nid ORDER BY c.position DESC) AS nearness"
                " FROM chain c JOIN state_group_entries e ON e.group_id = c.group_id"
                " JOIN wanted w ON w.key_nid = e.key_nid)"
                " SELECT r.type, r.state_key, v.event_id FROM ranked r"
                " JOIN events v ON v.stream = r.event_nid WHERE r.nearness = 1",
            .set_event_group = "INSERT INTO event_state_groups (event_nid, group_id)"
                               " SELECT stream, ?2 FROM events WHERE event_id = ?1"
                               " ON CONFLICT DO NOTHING",
            .set_new_event_group = "INSERT INTO event_state_groups (event_nid, group_id) VALUES (?1, ?2)",
            .event_group = "SELECT s.group_id FROM events e"
                           " JOIN event_state_groups s ON s.event_nid = e.stream"
                           " WHERE e.event_id = ?1",
        },
    .rooms =
        {
            .insert = "INSERT INTO rooms (room_id, room_version, created_ts, creator, is_public)"
                      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (room_id) DO NOTHING",
            .lock = "SELECT room_id, room_version, created_ts, creator, is_public FROM rooms WHERE room_id = ?1",
            .select_one = "SELECT room_id, room_version, created_ts, creator, is_public"
                          " FROM rooms WHERE room_id = ?1",
            .public_after = "SELECT room_id, room_version, created_ts, creator, is_public"
                            " FROM rooms WHERE is_public = 1 AND room_id > ?1"
                            " ORDER BY room_id LIMIT ?2",
            .set_public = "UPDATE rooms SET is_public = ?2 WHERE room_id = ?1",
            .extremities = "SELECT event_id FROM room_forward_extremities WHERE room_id = ?1"
                           " ORDER BY event_id",
            .remove_extremities = "DELETE FROM room_forward_extremities WHERE room_id = ?1"
                                  " AND event_id IN (SELECT value FROM json_each(?2))",
            .clear_extremities = "DELETE FROM room_forward_extremities WHERE room_id = ?1",
            .add_extremity = "INSERT INTO room_forward_extremities (room_id, event_id)"
                             " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            .backward_extremities = "SELECT event_id FROM room_backward_extremities WHERE room_id = ?1"
                                    " ORDER BY event_id",
            .remove_backward_extremity = "DELETE FROM room_backward_extremities"
                                         " WHERE room_id = ?1 AND event_id = ?2",
            .add_backward_extremities = "INSERT INTO room_backward_extremities (room_id, event_id)"
                                        " SELECT ?1, value FROM json_each(?2)"
                                        " WHERE value NOT IN (SELECT event_id FROM events"
                                        " WHERE event_id IN (SELECT value FROM json_each(?2))"
                                        " AND outlier = 0) ON CONFLICT DO NOTHING",
            .state_all = "SELECT type, state_key, event_id FROM room_current_state"
                         " WHERE room_id = ?1",
            .state_one = "SELECT event_id FROM room_current_state"
                         " WHERE room_id = ?1 AND type = ?2 AND state_key = ?3",
            .state_of_type = "SELECT type, state_key, event_id FROM room_current_state"
                             " WHERE room_id = ?1 AND type = ?2",
            .state_some = "SELECT type, state_key, event_id FROM room_current_state WHERE room_id = ?1"
                          " AND (type, state_key) IN (SELECT value->>0, value->>1 FROM json_each(?2))",
            .state_put = "INSERT INTO room_current_state (room_id, type, state_key, event_id)"
                         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (room_id, type, state_key)"
                         " DO UPDATE SET event_id = excluded.event_id",
            .state_remove = "DELETE FROM room_current_state"
                            " WHERE room_id = ?1 AND type = ?2 AND state_key = ?3",
            .state_put_many = "INSERT INTO room_current_state (room_id, type, state_key, event_id)"
                              " SELECT ?1, value->>0, value->>1, value->>2 FROM json_each(?2) WHERE true"
                              " ON CONFLICT (room_id, type, state_key)"
                              " DO UPDATE SET event_id = excluded.event_id",
            .state_remove_many = "DELETE FROM room_current_state WHERE room_id = ?1 AND (type, state_key)"
                                 " IN (SELECT value->>0, value->>1 FROM json_each(?2))",
            .member_one = "SELECT " MEMBER_SELECT " FROM room_memberships"
                          " WHERE room_id = ?1 AND user_id = ?2",
            .rooms_for_user = "SELECT " MEMBER_SELECT " FROM room_memberships"
                              " WHERE user_id = ?1 AND membership = ?2 ORDER BY room_id",
            .members = "SELECT " MEMBER_SELECT " FROM room_memberships"
                       " WHERE room_id = ?1 AND membership = ?2 ORDER BY user_id",
            .joined_servers = "SELECT DISTINCT substr(user_id, instr(user_id, ':') + 1) AS server FROM room_memberships"
                              " WHERE room_id = ?1 AND membership = 'join' ORDER BY server",
            .member_put = "INSERT INTO room_memberships (" MEMBER_COLUMNS ")"
                          " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (room_id, user_id)"
                          " DO UPDATE SET membership = excluded.membership,"
                          " event_id = excluded.event_id, stream = excluded.stream, forgotten = 0",
            .member_put_many = "INSERT INTO room_memberships (" MEMBER_COLUMNS ")"
                               " SELECT value->>0, value->>1, value->>2, value->>3, value->>4"
                               " FROM json_each(?1) WHERE true ON CONFLICT (room_id, user_id)"
                               " DO UPDATE SET membership = excluded.membership,"
                               " event_id = excluded.event_id, stream = excluded.stream, forgotten = 0",
            .member_forget = "UPDATE room_memberships SET forgotten = 1 WHERE room_id = ?1 AND user_id = ?2"
                             " AND membership IN ('leave', 'ban')",
            .alias_insert = "INSERT INTO room_aliases (alias, room_id, creator)"
                            " VALUES (?1, ?2, ?3) ON CONFLICT (alias) DO NOTHING",
            .alias_one = "SELECT alias, room_id, creator FROM room_aliases WHERE alias = ?1",
            .aliases_of = "SELECT alias FROM room_aliases WHERE room_id = ?1 ORDER BY alias",
            .alias_remove = "DELETE FROM room_aliases WHERE alias = ?1",
            .txn_insert = "INSERT INTO client_transactions (" TXN_COLUMNS ")"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                          " ON CONFLICT (user_id, device_id, txn_id) DO NOTHING",
            .txn_one = "SELECT " TXN_COLUMNS " FROM client_transactions"
                       " WHERE user_id = ?1 AND device_id = ?2 AND txn_id = ?3",
            .txn_of_event = "SELECT " TXN_COLUMNS " FROM client_transactions"
                            " WHERE user_id = ?1 AND device_id = ?2 AND event_id = ?3",
        },
    .registration_tokens =
        {
            .insert = "INSERT INTO registration_tokens (token, uses_allowed, completed, expiry_time, created_ts)"
                      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (token) DO NOTHING",
            .select_one = "SELECT token, uses_allowed, completed, expiry_time, created_ts"
                          " FROM registration_tokens WHERE token = ?1",
            .select_all = "SELECT token, uses_allowed, completed, expiry_time, created_ts"
                          " FROM registration_tokens ORDER BY token",
            .consume = "UPDATE registration_tokens SET completed = completed + 1 WHERE token = ?1"
                       " AND (uses_allowed IS NULL OR completed < uses_allowed)"
                       " AND (expiry_time IS NULL OR ?2 < expiry_time)",
            .remove = "DELETE FROM registration_tokens WHERE token = ?1",
        },
    .receipts =
        {
            .upsert = "INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT COALESCE(MAX(stream_id), 0) + 1 FROM receipts))"
                      " ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE"
                      " SET event_id = excluded.event_id, ts = excluded.ts, stream_id = excluded.stream_id",
            .changed_since = "SELECT room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id FROM receipts"
                             " WHERE room_id IN (SELECT value FROM json_each(?1)) AND stream_id > ?2 ORDER BY stream_id",
            .max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM receipts",
        },
    .to_device =
        {
            .insert = "INSERT INTO device_inbox (user_id, device_id, sender, type, content)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)",
            .pending = "SELECT sender, type, content, stream_id FROM device_inbox"
                       " WHERE user_id = ?1 AND device_id = ?2 AND stream_id > ?3 ORDER BY stream_id LIMIT ?4",
            .max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM device_inbox",
            .acknowledge = "DELETE FROM device_inbox WHERE user_id = ?1 AND device_id = ?2 AND stream_id <= ?3",
        },
    .federation_outbox =
        {
            .insert = "INSERT INTO federation_outbox (destination, kind, body) VALUES (?1, ?2, ?3)",
            .due = "SELECT o.destination FROM federation_outbox o"
                   " LEFT JOIN federation_destinations d ON d.destination = o.destination"
                   " WHERE d.retry_at_ms IS NULL OR d.retry_at_ms <= ?1"
                   " GROUP BY o.destination ORDER BY MIN(o.stream_id) LIMIT ?2",
            .next_retry = "SELECT MIN(d.retry_at_ms) FROM federation_destinations d"
                          " WHERE EXISTS (SELECT 1 FROM federation_outbox o WHERE o.destination = d.destination)",
            .pending = "SELECT stream_id, body FROM federation_outbox WHERE destination = ?1 AND kind = ?2"
                       " ORDER BY stream_id LIMIT ?3",
            .remove = "DELETE FROM federation_outbox WHERE destination = ?1"
                      " AND stream_id IN (SELECT value FROM json_each(?2))",
            .backoff = "SELECT retry_at_ms, backoff_ms, last_error FROM federation_destinations WHERE destination = ?1",
            .upsert_backoff = "INSERT INTO federation_destinations (destination, retry_at_ms, backoff_ms, last_error)"
                              " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (destination) DO UPDATE SET"
                              " retry_at_ms = excluded.retry_at_ms, backoff_ms = excluded.backoff_ms,"
                              " last_error = excluded.last_error",
            .clear_backoff = "DELETE FROM federation_destinations WHERE destination = ?1",
        },
    .e2e_keys =
        {
            .device_keys_one = "SELECT key_json FROM e2e_device_keys WHERE user_id = ?1 AND device_id = ?2",
            .device_keys_of = "SELECT k.user_id, k.device_id, k.key_json, d.display_name FROM e2e_device_keys k"
                              " JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id"
                              " WHERE k.user_id IN (SELECT value FROM json_each(?1)) ORDER BY k.user_id, k.device_id",
            .device_keys_set = "INSERT INTO e2e_device_keys (user_id, device_id, key_json) VALUES (?1, ?2, ?3)"
                               " ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = excluded.key_json",
            .otk_one = "SELECT key_json FROM e2e_one_time_keys"
                       " WHERE user_id = ?1 AND device_id = ?2 AND algorithm = ?3 AND key_id = ?4",
            .otk_counts = "SELECT algorithm, COUNT(*) FROM e2e_one_time_keys WHERE user_id = ?1 AND device_id = ?2"
                          " GROUP BY algorithm",
            .otk_insert = "INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json)"
                          " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            // One writer at a time: the select and delete of one statement cannot interleave.
            .otk_claim = "DELETE FROM e2e_one_time_keys WHERE rowid = (SELECT rowid FROM e2e_one_time_keys"
                         " WHERE user_id = ?1 AND device_id = ?2 AND algorithm = ?3 ORDER BY key_id LIMIT 1)"
                         " RETURNING key_id, key_json",
            .fallback_one = "SELECT key_id, key_json FROM e2e_fallback_keys"
                            " WHERE user_id = ?1 AND device_id = ?2 AND algorithm = ?3",
            .fallback_unused = "SELECT algorithm FROM e2e_fallback_keys WHERE user_id = ?1 AND device_id = ?2"
                               " AND used = 0 ORDER BY algorithm",
            .fallback_set = "INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT (user_id, device_id, algorithm) DO UPDATE"
                            " SET key_id = excluded.key_id, key_json = excluded.key_json, used = 0",
            .fallback_claim = "UPDATE e2e_fallback_keys SET used = 1"
                              " WHERE user_id = ?1 AND device_id = ?2 AND algorithm = ?3 RETURNING key_id, key_json",
            .cross_signing_of = "SELECT user_id, usage, key_json FROM e2e_cross_signing_keys"
                                " WHERE user_id IN (SELECT value FROM json_each(?1)) ORDER BY user_id, usage",
            .cross_signing_set = "INSERT INTO e2e_cross_signing_keys (user_id, usage, key_json) VALUES (?1, ?2, ?3)"
                                 " ON CONFLICT (user_id, usage) DO UPDATE SET key_json = excluded.key_json",
            .signatures_of = "SELECT signer_user_id, target_user_id, target_key_id, signing_key_id, signature"
                             " FROM e2e_signatures WHERE target_user_id IN (SELECT value FROM json_each(?1))"
                             " ORDER BY target_user_id, target_key_id, signer_user_id, signing_key_id",
            .signature_set = "INSERT INTO e2e_signatures"
                             " (signer_user_id, target_user_id, target_key_id, signing_key_id, signature)"
                             " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (target_user_id, target_key_id, signer_user_id, signing_key_id)"
                             " DO UPDATE SET signature = excluded.signature",
            .list_changes = "SELECT user_id FROM device_list_changes WHERE stream_id > ?1 AND stream_id <= ?2"
                            " ORDER BY user_id",
            .list_max_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM device_list_changes",
            .list_position = "SELECT stream_id FROM device_list_changes WHERE user_id = ?1",
            .list_mark = "INSERT INTO device_list_changes (user_id, stream_id)"
                         " VALUES (?1, (SELECT COALESCE(MAX(stream_id), 0) + 1 FROM device_list_changes))"
                         " ON CONFLICT (user_id) DO UPDATE SET stream_id = excluded.stream_id RETURNING stream_id",
            .seen_changes =
                "SELECT o.user_id, o.membership, o.stream > ?2 AND o.stream <= ?3, me.membership,"
                " me.stream > ?2 AND me.stream <= ?3"
                " FROM room_memberships me JOIN room_memberships o ON o.room_id = me.room_id"
                " WHERE me.user_id = ?1 AND o.user_id <> ?1"
                " AND (me.membership = 'join' OR (me.membership IN ('leave', 'ban') AND me.stream > ?2 AND me.stream <= ?3))"
                " AND ((o.stream > ?2 AND o.stream <= ?3) OR (me.stream > ?2 AND me.stream <= ?3))",
            .sharing = "SELECT DISTINCT o.user_id FROM room_memberships me JOIN room_memberships o ON o.room_id = me.room_id"
                       " WHERE me.user_id = ?1 AND me.membership = 'join' AND o.membership IN ('join', 'invite')"
                       " AND o.user_id IN (SELECT value FROM json_each(?2)) ORDER BY o.user_id",
        },
    .key_backup =
        {
            .latest = "SELECT version, algorithm, auth_data, etag FROM backup_versions"
                      " WHERE user_id = ?1 AND deleted = 0 ORDER BY version DESC LIMIT 1",
            .version_one = "SELECT version, algorithm, auth_data, etag FROM backup_versions"
                           " WHERE user_id = ?1 AND version = ?2 AND deleted = 0",
            .version_insert = "INSERT INTO backup_versions (user_id, version, algorithm, auth_data)"
                              " VALUES (?1, (SELECT COALESCE(MAX(version), 0) + 1 FROM backup_versions"
                              " WHERE user_id = ?1), ?2, ?3) RETURNING version",
            .version_update = "UPDATE backup_versions SET auth_data = ?3"
                              " WHERE user_id = ?1 AND version = ?2 AND deleted = 0",
            .version_delete = "UPDATE backup_versions SET deleted = 1"
                              " WHERE user_id = ?1 AND version = ?2 AND deleted = 0",
            .keys = "SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data"
                    " FROM backup_room_keys WHERE user_id = ?1 AND version = ?2"
                    " AND (?3 IS NULL OR room_id = ?3) AND (?4 IS NULL OR session_id = ?4)"
                    " ORDER BY room_id, session_id",
            .count = "SELECT COUNT(*) FROM backup_room_keys WHERE user_id = ?1 AND version = ?2",
            .key_set = "INSERT INTO backup_room_keys (user_id, version, room_id, session_id, first_message_index,"
                       " forwarded_count, is_verified, session_data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                       " ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE SET"
                       " first_message_index = excluded.first_message_index,"
                       " forwarded_count = excluded.forwarded_count, is_verified = excluded.is_verified,"
                       " session_data = excluded.session_data",
            .keys_delete = "DELETE FROM backup_room_keys WHERE user_id = ?1 AND version = ?2"
                           " AND (?3 IS NULL OR room_id = ?3) AND (?4 IS NULL OR session_id = ?4)",
            .bump_etag = "UPDATE backup_versions SET etag = etag + 1 WHERE user_id = ?1 AND version = ?2",
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

const sql::Dialect& dialect() { return sqlite_dialect; }

}  // namespace ranvier::storage::sqlite
