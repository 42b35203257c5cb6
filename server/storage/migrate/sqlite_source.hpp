#pragma once
// The SQLite database being migrated, opened read-only: nothing here writes to it. It must
// be a stopped server's database; opening refuses one that another process has open.

#include "storage/migrate/values.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ranvier::storage::migrate {

/// A table as SQLite describes it.
struct SourceTable {
  std::string name;
  /// Declared columns in order (for an FTS5 table: its columns, without the rowid).
  std::vector<std::string> columns;
  /// Declared primary key columns in key order; empty when rows are keyed by rowid only.
  std::vector<std::string> primary_key;
  /// An FTS5 virtual table (full-text index): keyed by rowid, columns are plain text.
  bool full_text = false;
};

class SqliteSource {
 public:
  /// Opens `path` read-only. Throws MigrateError when it does not exist, is not a Ranvier
  /// database, or is open in another process (a running server): the copy must see a
  /// database nobody writes to.
  explicit SqliteSource(const std::string& path);
  ~SqliteSource();
  SqliteSource(const SqliteSource&) = delete;
  SqliteSource& operator=(const SqliteSource&) = delete;

  /// The highest applied migration number.
  int schema_version();
  /// Every ordinary and virtual table of the schema, without SQLite's internal tables, FTS
  /// shadow tables and schema_migrations.
  std::vector<SourceTable> tables();
  /// Row count of `table`.
  std::int64_t count(const std::string& table);
  /// The AUTOINCREMENT high-water mark of `table` (sqlite_sequence), if it has one.
  std::optional<std::int64_t> autoincrement_value(const std::string& table);

  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// A prepared SELECT over a source, stepped row by row.
class SourceCursor {
 public:
  /// Prepares `sql`; parameters are bound with bind_* before the first next().
  SourceCursor(SqliteSource& source, const std::string& sql);
  ~SourceCursor();
  SourceCursor(const SourceCursor&) = delete;
  SourceCursor& operator=(const SourceCursor&) = delete;

  void bind_int(int index, std::int64_t value);
  void bind_text(int index, const std::string& value);
  /// Steps to the next row into `row`; false at the end.
  bool next(std::vector<SourceValue>& row);

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string path_;
};

/// Whether another process has the SQLite database at `path` open (WAL mode: every connection
/// holds a shared lock on the -shm file's DMS byte). Returns the holder's pid when known.
std::optional<long> sqlite_in_use(const std::string& path);

/// Quotes an identifier for SQLite ("name").
std::string sqlite_ident(const std::string& name);

}  // namespace ranvier::storage::migrate
