// All SQL the SQLite backend runs besides its migration files.

#include "storage/sqlite/sqlite_dialect.hpp"

namespace ranvier::storage::sqlite {
namespace {

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
                          " deactivated FROM accounts WHERE user_id = ?1",
            .counts = "SELECT COUNT(*), COUNT(*) FILTER (WHERE is_admin = 1),"
                      " COUNT(*) FILTER (WHERE is_guest = 1),"
                      " COUNT(*) FILTER (WHERE deactivated = 1) FROM accounts",
            .list_after = "SELECT user_id, password_hash, is_admin, is_guest, created_ts,"
                          " deactivated FROM accounts WHERE user_id > ?1"
                          " ORDER BY user_id LIMIT ?2",
            .set_password = "UPDATE accounts SET password_hash = ?2 WHERE user_id = ?1",
            .set_admin = "UPDATE accounts SET is_admin = ?2 WHERE user_id = ?1",
            .deactivate = "UPDATE accounts SET deactivated = 1, password_hash = NULL"
                          " WHERE user_id = ?1",
        },
    .devices =
        {
            .insert = "INSERT INTO devices (user_id, device_id, display_name, created_ts,"
                      " last_seen_ts, last_seen_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                      " ON CONFLICT (user_id, device_id) DO NOTHING",
            .select_one = "SELECT user_id, device_id, display_name, created_ts, last_seen_ts,"
                          " last_seen_ip FROM devices WHERE user_id = ?1 AND device_id = ?2",
            .list_for_user = "SELECT user_id, device_id, display_name, created_ts, last_seen_ts,"
                             " last_seen_ip FROM devices WHERE user_id = ?1 ORDER BY device_id",
            .set_display_name = "UPDATE devices SET display_name = ?3"
                                " WHERE user_id = ?1 AND device_id = ?2",
            .touch = "UPDATE devices SET last_seen_ts = ?3, last_seen_ip = ?4"
                     " WHERE user_id = ?1 AND device_id = ?2",
            .remove = "DELETE FROM devices WHERE user_id = ?1 AND device_id = ?2",
            .remove_all = "DELETE FROM devices WHERE user_id = ?1",
        },
    .tokens =
        {
            .insert = "INSERT INTO access_tokens"
                      " (token_hash, user_id, device_id, created_ts, expires_ts)"
                      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (token_hash) DO NOTHING",
            .lookup = "SELECT t.user_id, t.device_id, a.is_guest, a.is_admin, t.created_ts,"
                      " t.expires_ts FROM access_tokens t"
                      " JOIN accounts a ON a.user_id = t.user_id"
                      " WHERE t.token_hash = ?1 AND a.deactivated = 0",
            .remove = "DELETE FROM access_tokens WHERE token_hash = ?1",
            .remove_for_device = "DELETE FROM access_tokens WHERE user_id = ?1 AND device_id = ?2",
            .remove_for_user = "DELETE FROM access_tokens WHERE user_id = ?1",
        },
};

}  // namespace

const sql::Dialect& dialect() { return sqlite_dialect; }

}  // namespace ranvier::storage::sqlite
