#include "storage/migrate/sqlite_backup.hpp"

#include "storage/migrate/migrate_error.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace ranvier::storage::migrate {
namespace {

// Pages per step: small enough that the server's writer never waits long on the read lock a
// step holds, large enough that a busy server does not restart the copy forever.
constexpr int pages_per_step = 1024;

struct Handle {
  sqlite3* db = nullptr;
  ~Handle() { sqlite3_close_v2(db); }
};

void open(Handle& handle, const std::string& path, int flags, const char* what) {
  if (sqlite3_open_v2(path.c_str(), &handle.db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    throw MigrateError(std::string("cannot open ") + what + " " + path + ": " +
                       (handle.db != nullptr ? sqlite3_errmsg(handle.db) : "out of memory"));
  }
  sqlite3_busy_timeout(handle.db, 5000);
}

}  // namespace

void sqlite_backup(const std::string& source, const std::string& destination) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) {
    throw MigrateError("the database " + source + " does not exist");
  }
  try {
    Handle from;
    open(from, source, SQLITE_OPEN_READONLY, "the database");
    Handle to;
    open(to, destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "the backup file");
    sqlite3_backup* backup = sqlite3_backup_init(to.db, "main", from.db, "main");
    if (backup == nullptr) {
      throw MigrateError("cannot start the backup of " + source + ": " + sqlite3_errmsg(to.db));
    }
    int rc = SQLITE_OK;
    do {
      rc = sqlite3_backup_step(backup, pages_per_step);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      throw MigrateError("backing up " + source + " failed: " + sqlite3_errstr(rc));
    }
    // The copy is a standalone file: no -wal beside it.
    if (sqlite3_exec(to.db, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw MigrateError("finishing the backup file " + destination + ": " + sqlite3_errmsg(to.db));
    }
  } catch (...) {
    std::filesystem::remove(destination, ec);
    throw;
  }
}

int sqlite_schema_version(const std::string& path) {
  Handle db;
  open(db, path, SQLITE_OPEN_READONLY, "the database");
  sqlite3_stmt* stmt = nullptr;
  int version = 0;
  if (sqlite3_prepare_v2(db.db, "SELECT MAX(version) FROM schema_migrations", -1, &stmt, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    version = sqlite3_column_int(stmt, 0);
  }
  sqlite3_finalize(stmt);
  if (version == 0) {
    throw MigrateError(path + " is not a Ranvier database (no schema_migrations)");
  }
  return version;
}

}  // namespace ranvier::storage::migrate
