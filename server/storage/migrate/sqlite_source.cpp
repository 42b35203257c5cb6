#include "storage/migrate/sqlite_source.hpp"

#include "storage/migrate/migrate_error.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace ranvier::storage::migrate {
namespace {

// SQLite's unix VFS keeps its -shm locks at byte 120 onwards; byte 128 ("DMS") is held shared
// by every connection that has the database open, and exclusively by the one that closes it
// last. See UNIX_SHM_DMS in SQLite's os_unix.c.
constexpr off_t shm_dms_byte = 128;

std::string message(sqlite3* db) { return db != nullptr ? sqlite3_errmsg(db) : "out of memory"; }

}  // namespace

std::string sqlite_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

std::optional<long> sqlite_in_use(const std::string& path) {
  const std::string shm = path + "-shm";
  const int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = shm_dms_byte;
  lock.l_len = 1;
  const int rc = ::fcntl(fd, F_GETLK, &lock);
  ::close(fd);
  if (rc != 0 || lock.l_type == F_UNLCK) {
    return std::nullopt;
  }
  return static_cast<long>(lock.l_pid);
}

SqliteSource::SqliteSource(const std::string& path) : path_(path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw MigrateError("the source database " + path + " does not exist");
  }
  if (auto pid = sqlite_in_use(path)) {
    throw MigrateError("the source database " + path + " is open in another process (pid " +
                       std::to_string(*pid) +
                       "); stop the server first: migrate-db copies a stopped server's database");
  }
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string reason = message(db_);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw MigrateError("cannot open the source database " + path + " read-only: " + reason);
  }
  sqlite3_busy_timeout(db_, 5000);
  // Belt and braces: the connection is read-only already.
  sqlite3_exec(db_, "PRAGMA query_only = ON", nullptr, nullptr, nullptr);
}

SqliteSource::~SqliteSource() { sqlite3_close_v2(db_); }

int SqliteSource::schema_version() {
  std::vector<SourceValue> row;
  try {
    SourceCursor cursor(*this, "SELECT MAX(version) FROM schema_migrations");
    if (cursor.next(row) && row.at(0).kind == SourceValue::Kind::integer) {
      return static_cast<int>(row[0].integer);
    }
  } catch (const MigrateError&) {
  }
  throw MigrateError(path_ + " is not a Ranvier database (no schema_migrations table)");
}

std::vector<SourceTable> SqliteSource::tables() {
  std::vector<SourceTable> out;
  std::vector<SourceValue> row;
  {
    // PRAGMA table_list (SQLite 3.37+) tells shadow tables of virtual tables apart.
    SourceCursor list(*this, "SELECT name, type FROM pragma_table_list WHERE schema = 'main'"
                             " AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                             " AND name <> 'schema_migrations' ORDER BY name");
    while (list.next(row)) {
      SourceTable table;
      table.name = row.at(0).bytes;
      table.full_text = row.at(1).bytes == "virtual";
      out.push_back(std::move(table));
    }
  }
  for (SourceTable& table : out) {
    if (table.full_text) {
      SourceCursor sql(*this, "SELECT sql FROM sqlite_schema WHERE name = ?1");
      sql.bind_text(1, table.name);
      if (!sql.next(row) || row.at(0).bytes.find("fts5") == std::string::npos) {
        throw MigrateError("the source table " + table.name +
                           " is a virtual table of a kind this tool cannot copy (only FTS5)");
      }
    }
    SourceCursor info(*this, "SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid");
    info.bind_text(1, table.name);
    std::vector<std::pair<std::int64_t, std::string>> key;
    while (info.next(row)) {
      table.columns.push_back(row.at(0).bytes);
      if (row.at(1).integer > 0) {
        key.emplace_back(row[1].integer, row[0].bytes);
      }
    }
    std::sort(key.begin(), key.end());
    for (auto& [position, name] : key) {
      table.primary_key.push_back(name);
    }
  }
  return out;
}

std::int64_t SqliteSource::count(const std::string& table) {
  SourceCursor cursor(*this, "SELECT COUNT(*) FROM " + sqlite_ident(table));
  std::vector<SourceValue> row;
  cursor.next(row);
  return row.at(0).integer;
}

std::optional<std::int64_t> SqliteSource::autoincrement_value(const std::string& table) {
  std::vector<SourceValue> row;
  {
    SourceCursor exists(*this, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'");
    if (!exists.next(row)) {
      return std::nullopt;
    }
  }
  SourceCursor cursor(*this, "SELECT seq FROM sqlite_sequence WHERE name = ?1");
  cursor.bind_text(1, table);
  if (cursor.next(row) && row.at(0).kind == SourceValue::Kind::integer) {
    return row[0].integer;
  }
  return std::nullopt;
}

SourceCursor::SourceCursor(SqliteSource& source, const std::string& sql) : path_(source.path()) {
  if (sqlite3_prepare_v2(source.handle(), sql.c_str(), static_cast<int>(sql.size()), &stmt_,
                         nullptr) != SQLITE_OK) {
    throw MigrateError("reading " + path_ + ": " + message(source.handle()) + " (in: " + sql +
                       ")");
  }
}

SourceCursor::~SourceCursor() { sqlite3_finalize(stmt_); }

void SourceCursor::bind_int(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void SourceCursor::bind_text(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

bool SourceCursor::next(std::vector<SourceValue>& row) {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_DONE) {
    return false;
  }
  if (rc != SQLITE_ROW) {
    throw MigrateError("reading " + path_ + ": " + message(sqlite3_db_handle(stmt_)));
  }
  const int columns = sqlite3_column_count(stmt_);
  row.clear();
  row.reserve(static_cast<std::size_t>(columns));
  for (int i = 0; i < columns; ++i) {
    switch (sqlite3_column_type(stmt_, i)) {
      case SQLITE_NULL:
        row.push_back(SourceValue::null());
        break;
      case SQLITE_INTEGER:
        row.push_back(SourceValue::of_int(sqlite3_column_int64(stmt_, i)));
        break;
      case SQLITE_FLOAT:
        row.push_back(SourceValue::of_real(sqlite3_column_double(stmt_, i)));
        break;
      case SQLITE_BLOB: {
        const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
        row.push_back(SourceValue::of_blob(
            std::string(data == nullptr ? "" : data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))));
        break;
      }
      default: {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
        row.push_back(SourceValue::of_text(
            std::string(data == nullptr ? "" : data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))));
        break;
      }
    }
  }
  return true;
}

}  // namespace ranvier::storage::migrate
