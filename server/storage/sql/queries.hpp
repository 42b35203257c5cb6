#pragma once
// The SQL each backend supplies to the shared store logic. The comment on each field is the
// contract: which parameters it takes (in order) and which columns it returns (in order).
// Backends differ in placeholders ($1 / ?1), types and locking, so each writes its own text.

#include "storage/sql/session.hpp"

#include <span>
#include <string_view>

namespace ranvier::storage::sql {

/// Columns of an account row, in this order, wherever a query returns accounts:
/// user_id, password_hash, is_admin, is_guest, created_ts, deactivated.
struct AccountSql {
  StaticSql insert;        ///< (user_id, password_hash, is_admin, is_guest, created_ts,
                           ///<  deactivated); does nothing if the user exists
  StaticSql select_one;    ///< (user_id) → account row
  StaticSql counts;        ///< () → total, admins, guests, deactivated
  StaticSql list_after;    ///< (after_user_id, limit) → account rows ordered by user_id
  StaticSql set_password;  ///< (user_id, password_hash)
  StaticSql set_admin;     ///< (user_id, is_admin)
  StaticSql deactivate;    ///< (user_id)
};

/// Columns of a device row: user_id, device_id, display_name, created_ts, last_seen_ts,
/// last_seen_ip.
struct DeviceSql {
  StaticSql insert;            ///< (user_id, device_id, display_name, created_ts, last_seen_ts,
                               ///<  last_seen_ip); does nothing if the device exists
  StaticSql select_one;        ///< (user_id, device_id) → device row
  StaticSql list_for_user;     ///< (user_id) → device rows ordered by device_id
  StaticSql set_display_name;  ///< (user_id, device_id, display_name)
  StaticSql touch;             ///< (user_id, device_id, last_seen_ts, last_seen_ip)
  StaticSql remove;            ///< (user_id, device_id); tokens go with it (ON DELETE CASCADE)
  StaticSql remove_all;        ///< (user_id)
};

/// Access tokens are keyed by the hex SHA-256 of the token.
struct TokenSql {
  StaticSql insert;             ///< (token_hash, user_id, device_id, created_ts, expires_ts);
                                ///< does nothing if the hash exists
  StaticSql lookup;             ///< (token_hash) → user_id, device_id, is_guest, is_admin,
                                ///< created_ts, expires_ts; no row for deactivated accounts
  StaticSql remove;             ///< (token_hash)
  StaticSql remove_for_device;  ///< (user_id, device_id)
  StaticSql remove_for_user;    ///< (user_id)
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
struct Dialect {
  std::string_view begin_read;   ///< starts a read-only snapshot transaction
  std::string_view begin_write;  ///< starts a write transaction, taking the write lock early
  std::string_view commit;
  std::string_view rollback;
  MigrationSql migrations;
  AccountSql accounts;
  DeviceSql devices;
  TokenSql tokens;
};

}  // namespace ranvier::storage::sql
