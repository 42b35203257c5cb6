#include "storage/sqlite/sqlite_database.hpp"

#include "storage/errors.hpp"
#include "storage/sql/pool.hpp"
#include "storage/sql/sql_database.hpp"
#include "storage/sqlite/checkpointer.hpp"
#include "storage/sqlite/sqlite_dialect.hpp"
#include "storage/sqlite/sqlite_session.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

namespace ranvier::storage::sqlite {
namespace {

constexpr std::size_t default_readers = 4;

enum class Role { writer, reader };

// The database holds password hashes and token digests: a new file is created readable by its
// owner only (SQLite gives the -wal and -shm files the same mode). An empty file is a valid
// empty database. An existing file keeps the mode its operator chose.
void create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  }
}

std::unique_ptr<sql::Session> connect(const std::string& path, Role role, const OpenOptions& options,
                                      Checkpointer* checkpointer = nullptr) {
  const int flags =
      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
      (role == Role::writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
  if (role == Role::writer) {
    create_private_file(path);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    if ((rc & 0xff) == SQLITE_CANTOPEN) {
      reason += " (does the directory exist, and may this user write there?)";
    }
    throw StorageError(ErrorKind::unavailable,
                       "cannot open SQLite database " + path + ": " + reason);
  }
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  auto session = std::make_unique<SqliteSession>(db, path);
  try {
    if (role == Role::writer) {
      auto mode = session->query("PRAGMA journal_mode = WAL", {});
      if (mode.empty() || mode.front().at(0).as_text() != "wal") {
        throw StorageError(ErrorKind::unavailable,
                           "cannot switch SQLite database " + path + " to WAL mode");
      }
      // NORMAL is durable in WAL mode except for the last transactions before a power cut,
      // and saves an fsync per commit.
      session->execute_script("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
      // Replaces the automatic checkpoint, which would run inside a request's commit.
      checkpointer->watch(db);
    } else {
      session->execute_script("PRAGMA query_only = ON;");
    }
  } catch (const StorageError& error) {
    if (error.kind() == ErrorKind::unavailable) {
      throw;
    }
    throw StorageError(ErrorKind::unavailable,
                       "cannot use SQLite database " + path + ": " + error.what());
  }
  return session;
}

}  // namespace

std::unique_ptr<Database> open(const std::string& path, const OpenOptions& options,
                               std::span<const sql::Migration> migrations) {
  // Owned by the writer pool's factory, so it lives as long as the writer connection and stops
  // when the database is closed.
  auto checkpointer = std::make_shared<Checkpointer>(path);
  auto writer = std::make_unique<sql::ConnectionPool>(
      "sqlite_writer", 1,
      [path, options, checkpointer] { return connect(path, Role::writer, options, checkpointer.get()); },
      options.pool_wait_timeout);
  auto readers = std::make_unique<sql::ConnectionPool>(
      "sqlite_readers", options.max_connections == 0 ? default_readers : options.max_connections,
      [path, options] { return connect(path, Role::reader, options); }, options.pool_wait_timeout);
  auto db = std::make_unique<sql::SqlDatabase>(Backend::sqlite, dialect(), std::move(readers),
                                               std::move(writer));
  db->migrate(migrations);
  return db;
}

}  // namespace ranvier::storage::sqlite
