#pragma once
// The SQL each backend supplies to the shared store logic. The comment on each field is the
// contract: which parameters it takes (in order) and which columns it returns (in order).
// Backends differ in placeholders ($1 / ?1), types and locking, so each writes its own text.

#include "storage/sql/admin_queries.hpp"
#include "storage/sql/federation_inbox_store.hpp"
#include "storage/sql/notification_queries.hpp"
#include "storage/sql/server_key_queries.hpp"
#include "storage/sql/media_queries.hpp"
#include "storage/sql/appservice_queries.hpp"
#include "storage/sql/session.hpp"

#include <span>
#include <string_view>

namespace ranvier::storage::sql {

/// Columns of an account row, in this order, wherever a query returns accounts:
/// user_id, password_hash, is_admin, is_guest, created_ts, deactivated, locked, suspended.
struct AccountSql {
  StaticSql insert;        ///< (user_id, password_hash, is_admin, is_guest, created_ts,
                           ///<  deactivated); does nothing if the user exists
  StaticSql select_one;    ///< (user_id) → account row
  StaticSql counts;        ///< () → total, admins, guests, deactivated
  StaticSql list_after;    ///< (after_user_id, limit) → account rows ordered by user_id
  StaticSql set_password;  ///< (user_id, password_hash)
  StaticSql set_admin;     ///< (user_id, is_admin)
  StaticSql deactivate;    ///< (user_id)
  StaticSql lock;          ///< (user_id) → one row if the account exists; locks it until commit
  StaticSql set_locked;    ///< (user_id, locked)
  StaticSql set_suspended; ///< (user_id, suspended)
};

/// Columns of a device row: user_id, device_id, display_name, created_ts, last_seen_ts,
/// last_seen_ip, last_seen_user_agent.
struct DeviceSql {
  StaticSql insert;            ///< (user_id, device_id, display_name, created_ts, last_seen_ts,
                               ///<  last_seen_ip); does nothing if the device exists
  StaticSql select_one;        ///< (user_id, device_id) → device row
  StaticSql list_for_user;     ///< (user_id) → device rows ordered by device_id
  StaticSql set_display_name;  ///< (user_id, device_id, display_name)
  StaticSql touch;             ///< (user_id, device_id, last_seen_ts, last_seen_ip)
  StaticSql record_request;    ///< (user_id, device_id, last_seen_ts, last_seen_ip, last_seen_user_agent)
  StaticSql remove;            ///< (user_id, device_id); tokens go with it (ON DELETE CASCADE)
  StaticSql remove_all;        ///< (user_id)
};

/// Account data rows: (user_id, room_id — '' for global —, type) → content; and filters.
struct AccountDataSql {
  StaticSql select_one;     ///< (user_id, room_id, type) → content
  StaticSql upsert;         ///< (user_id, room_id, type, content); a change takes a new stream_id
  StaticSql select_filter;  ///< (user_id, filter_id) → filter
  StaticSql insert_filter;  ///< (user_id, filter) → filter_id
  StaticSql changed_since;  ///< (user_id, after) → room_id, type, content, stream_id by stream_id
  StaticSql max_stream;     ///< () → highest stream_id, 0 when none
};

/// Receipts; columns: room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id.
struct ReceiptSql {
  StaticSql upsert;         ///< (room_id, user_id, receipt_type, thread_id, event_id, ts); new stream_id
  StaticSql changed_since;  ///< (JSON array of room IDs, after) → rows by stream_id
  StaticSql max_stream;     ///< () → highest stream_id, 0 when none
};

/// To-device messages.
struct ToDeviceSql {
  StaticSql insert;       ///< (user_id, device_id, sender, type, content); stream_id assigned
  StaticSql pending;      ///< (user_id, device_id, after, limit) → sender, type, content, stream_id
  StaticSql max_stream;   ///< () → highest stream_id, 0 when none
  StaticSql acknowledge;  ///< (user_id, device_id, up_to)
};

/// End-to-end keys. Key IDs exclude the `<algorithm>:` prefix.
struct E2eKeySql {
  StaticSql device_keys_one;   ///< (user_id, device_id) → key_json
  StaticSql device_keys_of;    ///< (JSON array of user IDs) → user_id, device_id, key_json, display_name
                               ///<  by user, device
  StaticSql device_keys_set;   ///< (user_id, device_id, key_json); replaces
  StaticSql otk_one;           ///< (user_id, device_id, algorithm, key_id) → key_json
  StaticSql otk_counts;        ///< (user_id, device_id) → algorithm, count
  StaticSql otk_insert;        ///< (user_id, device_id, algorithm, key_id, key_json); nothing if the ID is taken
  StaticSql otk_claim;         ///< (user_id, device_id, algorithm) → key_id, key_json of the one key deleted
  StaticSql fallback_one;      ///< (user_id, device_id, algorithm) → key_id, key_json
  StaticSql fallback_unused;   ///< (user_id, device_id) → algorithm of unused fallback keys, sorted
  StaticSql fallback_set;      ///< (user_id, device_id, algorithm, key_id, key_json); replaces, unused
  StaticSql fallback_claim;    ///< (user_id, device_id, algorithm) → key_id, key_json; marks it used
  StaticSql cross_signing_of;  ///< (JSON array of user IDs) → user_id, usage, key_json
  StaticSql cross_signing_set; ///< (user_id, usage, key_json); replaces
  StaticSql signatures_of;     ///< (JSON array of target user IDs) → signer_user_id, target_user_id,
                               ///<  target_key_id, signing_key_id, signature
  StaticSql signature_set;     ///< (signer_user_id, target_user_id, target_key_id, signing_key_id, signature)
  StaticSql list_changes;      ///< (after, up_to) → user_id, sorted
  StaticSql list_max_stream;   ///< () → highest stream_id, 0 when none
  StaticSql list_position;     ///< (user_id) → the user's stream_id
  StaticSql list_mark;         ///< (user_id) → the user's new stream_id
  StaticSql seen_changes;      ///< (user_id, after, up_to) → user_id, membership, changed in window,
                               ///<  own membership, own change in window (room_memberships rows)
  StaticSql sharing;           ///< (user_id, JSON array of user IDs) → those sharing a joined room
};

/// Key backup; version columns: version, algorithm, auth_data, etag; key columns: room_id,
/// session_id, first_message_index, forwarded_count, is_verified, session_data.
struct KeyBackupSql {
  StaticSql latest;          ///< (user_id) → version columns of the newest live version
  StaticSql version_one;     ///< (user_id, version) → version columns, live versions only
  StaticSql version_insert;  ///< (user_id, algorithm, auth_data) → version (the user's next number)
  StaticSql version_update;  ///< (user_id, version, auth_data); live versions only
  StaticSql version_delete;  ///< (user_id, version); marks a live version deleted
  StaticSql keys;            ///< (user_id, version, room_id or NULL, session_id or NULL) → key columns
                             ///<  by room_id, session_id
  StaticSql count;           ///< (user_id, version) → number of keys
  StaticSql key_set;         ///< (user_id, version, key columns); replaces
  StaticSql keys_delete;     ///< (user_id, version, room_id or NULL, session_id or NULL)
  StaticSql bump_etag;       ///< (user_id, version)
};

/// Registration tokens; columns: token, uses_allowed, completed, expiry_time, created_ts.
struct RegistrationTokenSql {
  StaticSql insert;      ///< (token, uses_allowed, completed, expiry_time, created_ts); nothing if taken
  StaticSql select_one;  ///< (token) → row
  StaticSql select_all;  ///< () → rows by token
  StaticSql consume;     ///< (token, now_ts) → completed + 1 where still usable
  StaticSql remove;      ///< (token)
};

/// Profiles: one JSON object text per user.
struct ProfileSql {
  StaticSql select_one;  ///< (user_id) → profile
  StaticSql upsert;      ///< (user_id, profile); replaces an existing row
};

/// Access, login and refresh tokens are keyed by the hex SHA-256 of the token.
struct TokenSql {
  StaticSql insert;             ///< (token_hash, user_id, device_id, created_ts, expires_ts,
                                ///<  retires_refresh_hash); does nothing if the hash exists
  StaticSql lookup;             ///< (token_hash) → user_id, device_id, is_guest, is_admin,
                                ///< created_ts, expires_ts, retires_refresh_hash IS NOT NULL,
                                ///< locked, suspended, the device's last_seen_ts when its
                                ///< last_seen_user_agent is set (else NULL);
                                ///< no row for deactivated accounts
  StaticSql remove;             ///< (token_hash)
  StaticSql remove_for_device;  ///< (user_id, device_id)
  StaticSql remove_for_user;    ///< (user_id)
  StaticSql login_insert;       ///< (token_hash, user_id, created_ts, expires_ts); does nothing
                                ///< if the hash exists
  StaticSql login_purge;        ///< (now_ts) deletes login tokens expired by then
  StaticSql login_take;         ///< (token_hash) deletes the row → user_id, expires_ts
  StaticSql refresh_insert;     ///< (token_hash, user_id, device_id, created_ts, replaces_hash);
                                ///< does nothing if the hash exists
  StaticSql refresh_lock;       ///< (token_hash) → user_id, device_id, replaces_hash; no row for
                                ///< deactivated accounts; locks the row until commit
  StaticSql refresh_remove;     ///< (token_hash)
  StaticSql refresh_remove_successors;  ///< (replaces_hash) deletes the refresh tokens
                                        ///< exchanged for it
  StaticSql remove_retiring;    ///< (retires_refresh_hash) deletes the access tokens issued
                                ///< in exchange for it and not used yet
  StaticSql retire_refresh;     ///< (token_hash) deletes the refresh token the access token
                                ///< retires
  StaticSql clear_retiring;     ///< (token_hash) clears the access token's retires_refresh_hash
                                ///< if set
  StaticSql remove_expired;     ///< (user_id, device_id, now_ts) deletes the device's access
                                ///< tokens expired by then
};

/// Sets of IDs travel as one parameter: a JSON array text (see json_array.hpp), which SQLite
/// opens with json_each and PostgreSQL with jsonb_array_elements_text.
///
/// Columns of an event row: event_id, room_id, type, state_key, sender, depth,
/// origin_server_ts, json, outlier, rejected_reason, soft_failed, stream, redacted_by,
/// relates_to, rel_type.
struct EventSql {
  StaticSql stream_of;         ///< (event_id) → stream
  StaticSql next_stream;       ///< () → the next stream position, locking the counter row
  StaticSql next_backfill_stream;  ///< () → the next position below zero for backfilled events
  StaticSql insert;            ///< (event_id, room_id, type, state_key, sender, depth,
                               ///<  origin_server_ts, json, outlier, rejected_reason,
                               ///<  soft_failed, stream, relates_to, rel_type); does nothing
                               ///<  if the ID exists
  StaticSql insert_prev;       ///< (event_id, ids) → one edge per array element, in order
  StaticSql insert_auth;       ///< (event_id, ids)
  StaticSql streams_of;        ///< (ids) → event_id, stream of the stored ones
  StaticSql next_streams;      ///< (n) → the last of n new stream positions, locking the counter
  StaticSql next_backfill_streams;  ///< (n) → the lowest of n new positions below zero
  StaticSql insert_many;       ///< ([[the insert columns, in insert's order], ...]) → event_id
                               ///< of the rows inserted (existing IDs are left alone)
  StaticSql insert_prev_many;  ///< ([[event_id, prev_id, ordinal], ...])
  StaticSql insert_auth_many;  ///< ([[event_id, auth_id, ordinal], ...])
  StaticSql select_one;        ///< (event_id) → event row
  StaticSql select_many;       ///< (ids) → event rows ordered by stream
  StaticSql prev_of;           ///< (ids) → event_id, prev_id in each event's order
  StaticSql auth_of;           ///< (ids) → event_id, auth_id in each event's order
  StaticSql known;             ///< (ids) → stored event_id, sorted
  StaticSql max_stream;        ///< () → highest assigned position
  StaticSql room_forward;      ///< (room_id, after, up_to, limit) → timeline rows, ascending
  StaticSql room_backward;     ///< (room_id, after, up_to, limit) → timeline rows, descending
  StaticSql messages_forward;  ///< (room_id, depth, stream, limit) → rows after, ascending
  StaticSql messages_backward; ///< (room_id, depth, stream, limit) → rows before, descending
  StaticSql relations_forward; ///< (room_id, event_id, rel_type or NULL, type or NULL,
                               ///<  max_depth, after, up_to, limit) → timeline rows relating
                               ///<  to it within max_depth relations, ascending
  StaticSql relations_backward;///< same, descending
  StaticSql thread_roots;      ///< (room_id, user_id, participated_only, before, limit) →
                               ///< root's event row, latest_stream, count, participated;
                               ///< newest thread first
  StaticSql relation_counts;   ///< (room_id, ids, user_id) → relates_to, rel_type, count, count
                               ///< sent by user_id of the timeline events relating directly to
                               ///< each, ordered by relates_to, rel_type
  StaticSql near_ts_forward;   ///< (room_id, ts) → the first timeline row at or after ts
  StaticSql near_ts_backward;  ///< (room_id, ts) → the last timeline row at or before ts
  StaticSql auth_chain;        ///< (ids) → reachable auth_id, sorted
  StaticSql children;          ///< (event_id) → event_id of events naming it as prev, sorted
  StaticSql set_rejected;      ///< (event_id, reason)
  StaticSql set_soft_failed;   ///< (event_id, soft_failed)
  StaticSql set_redacted_by;   ///< (event_id, redaction_id)
  StaticSql promote_outlier;   ///< (event_id): outlier cleared where set
};

/// State groups refer to events by stream position and to keys by a number from state_keys,
/// so a row of a delta is three integers.
struct StateSql {
  StaticSql group_info;     ///< (group_id) → room_id, position
  StaticSql base_chain;     ///< (group_id) → group_id, position, room_id along base links,
                            ///< nearest first
  StaticSql insert_group;   ///< (room_id, parent_id, base_id, position) → group_id
  StaticSql entries_of;     ///< (group ids) → group_id, key_nid, event_nid (NULL: removed)
  StaticSql insert_entries; ///< (group_id, [[key_nid, event_nid or null], ...])
  StaticSql add_keys;       ///< ([[type, state_key], ...]); creates the missing ones
  StaticSql key_nids;       ///< ([[type, state_key], ...]) → key_nid, type, state_key
  StaticSql key_names;      ///< (key nids) → type, state_key
  StaticSql event_nids;     ///< (ids) → event_id, stream
  StaticSql state_map;      ///< (group_id) → type, state_key, event_id
  StaticSql state_for_keys; ///< (group_id, [[type, state_key], ...]) → type, state_key, event_id
  StaticSql set_event_group;///< (event_id, group_id); does nothing if the event has one
  StaticSql set_new_event_group;  ///< (stream, group_id) of an event without a group yet
  StaticSql event_group;    ///< (event_id) → group_id
};

/// Columns of a room row: room_id, room_version, created_ts, creator, is_public.
/// Columns of a member row: room_id, user_id, membership, event_id, stream, forgotten.
/// Columns of a transaction row: user_id, device_id, txn_id, room_id, event_id, request_digest.
struct RoomSql {
  StaticSql insert;              ///< (room_id, room_version, created_ts, creator, is_public);
                                 ///< does nothing if the room exists
  StaticSql lock;                ///< (room_id) → the room row when the room exists, locked until
                                 ///< the transaction ends where the engine locks rows
  StaticSql select_one;          ///< (room_id) → room row
  StaticSql public_after;        ///< (after_room_id, limit) → public room rows by room_id
  StaticSql set_public;          ///< (room_id, is_public)
  StaticSql extremities;         ///< (room_id) → event_id, sorted
  StaticSql remove_extremities;  ///< (room_id, ids)
  StaticSql clear_extremities;   ///< (room_id)
  StaticSql add_extremity;       ///< (room_id, event_id); does nothing if present
  StaticSql backward_extremities;     ///< (room_id) → event_id, sorted
  StaticSql remove_backward_extremity;  ///< (room_id, event_id)
  StaticSql add_backward_extremities;   ///< (room_id, ids): those of ids not stored as events
  StaticSql state_all;           ///< (room_id) → type, state_key, event_id
  StaticSql state_one;           ///< (room_id, type, state_key) → event_id
  StaticSql state_of_type;       ///< (room_id, type) → type, state_key, event_id
  StaticSql state_some;          ///< (room_id, [[type, state_key]...]) → type, state_key, event_id
  StaticSql state_put;           ///< (room_id, type, state_key, event_id); inserts or replaces
  StaticSql state_remove;        ///< (room_id, type, state_key)
  StaticSql state_put_many;      ///< (room_id, [[type, state_key, event_id], ...]); each key once
  StaticSql state_remove_many;   ///< (room_id, [[type, state_key], ...])
  StaticSql member_one;          ///< (room_id, user_id) → member row
  StaticSql rooms_for_user;      ///< (user_id, membership) → member rows by room_id
  StaticSql members;             ///< (room_id, membership) → member rows by user_id
  StaticSql joined_servers;      ///< (room_id) → distinct server names of joined members, sorted
  StaticSql member_put;          ///< (room_id, user_id, membership, event_id, stream);
                                 ///< inserts or replaces (and clears `forgotten`)
  StaticSql member_put_many;     ///< ([[room_id, user_id, membership, event_id, stream], ...]):
                                 ///< member_put for each row; each (room, user) once
  StaticSql member_forget;       ///< (room_id, user_id); only a leave or ban row
  StaticSql alias_insert;        ///< (alias, room_id, creator); does nothing if taken
  StaticSql alias_one;           ///< (alias) → alias, room_id, creator
  StaticSql aliases_of;          ///< (room_id) → alias, sorted
  StaticSql alias_remove;        ///< (alias)
  StaticSql txn_insert;          ///< (user_id, device_id, txn_id, room_id, event_id,
                                 ///<  request_digest); does nothing if the ID was used
  StaticSql txn_one;             ///< (user_id, device_id, txn_id) → transaction row
  StaticSql txn_of_event;        ///< (user_id, device_id, event_id) → transaction row
};

/// How migrations are tracked. The schema version table is `schema_migrations`
/// (version, name, applied_ts); the highest version is the schema version.
struct MigrationSql {
  /// Script run first inside the migration transaction: takes whatever lock keeps two
  /// processes from migrating at once, then creates schema_migrations if missing.
  std::string_view prepare;
  StaticSql max_version;  ///< () → highest applied version, or NULL when none
  StaticSql record;       ///< (version, name, applied_ts)
};

/// One numbered migration script, embedded into the binary from `<backend>/migrations/`.
struct Migration {
  int version;
  std::string_view name;
  std::string_view script;
};

/// Everything a backend tells the shared logic.
/// The federation outbox and destination back-offs.
struct FederationOutboxSql {
  StaticSql insert;          ///< (destination, kind, body); stream_id assigned
  StaticSql due;             ///< (now_ms, limit) → destination
  StaticSql next_retry;      ///< () → MIN(retry_at_ms) over backed-off destinations with items, or NULL
  StaticSql pending;         ///< (destination, kind, limit) → stream_id, body, oldest first
  StaticSql remove;          ///< (destination, JSON array of stream_ids)
  StaticSql backoff;         ///< (destination) → retry_at_ms, backoff_ms, last_error
  StaticSql upsert_backoff;  ///< (destination, retry_at_ms, backoff_ms, last_error)
  StaticSql clear_backoff;   ///< (destination)
};

struct Dialect {
  std::string_view begin_read;   ///< starts a read-only snapshot transaction
  std::string_view begin_write;  ///< starts a write transaction, taking the write lock early
  std::string_view commit;
  std::string_view rollback;
  MigrationSql migrations;
  AccountSql accounts;
  AccountDataSql account_data;
  DeviceSql devices;
  ProfileSql profiles;
  TokenSql tokens;
  EventSql events;
  StateSql state;
  RoomSql rooms;
  RegistrationTokenSql registration_tokens;
  ReceiptSql receipts;
  ToDeviceSql to_device;
  FederationOutboxSql federation_outbox;
  E2eKeySql e2e_keys;
  KeyBackupSql key_backup;
  FederationInboxSql federation_inbox;
  NotificationSql notifications;
  PusherSql pushers;
  SearchSql search;
  ReportSql reports;
  ServerKeySql server_keys;
  MediaSql media;
  AdminSql admin;
  AppserviceSql appservices;
};

}  // namespace ranvier::storage::sql
