#pragma once
// `ranvier migrate-db`: copies a stopped server's SQLite database into PostgreSQL.
//
//   1. The source is opened read-only (refused while another process has it open) and the
//      target gets the normal PostgreSQL migrations; both must be at the same schema version.
//   2. Tables and columns are matched from both live schemas (table_plan.hpp).
//   3. A target holding data is refused unless `force`; otherwise the progress table is
//      created (marking the target incomplete) and every table emptied, in one transaction.
//      A target that already has the progress table is an interrupted run: it resumes.
//   4. Tables are copied in foreign-key order, a batch per transaction (table_copy.hpp).
//   5. Sequences are moved past the copied maximums; counts and checksums are compared
//      (table_checksum.hpp); on success the progress table is dropped.

#include "storage/migrate/table_checksum.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage::migrate {

/// What to migrate and how.
struct MigrateOptions {
  /// Path of the SQLite database file.
  std::string source_path;
  /// postgres:// URL of the target.
  std::string target_url;
  /// Empty a target that holds data (or an interrupted run) and start over.
  bool force = false;
  /// Rows per transaction.
  std::int64_t batch_size = 1000;
  /// Progress lines for the operator ("events: 3000 / 12000 rows").
  std::function<void(const std::string&)> report = [](const std::string&) {};
  /// Tests only: fail after this many rows were committed in this run.
  std::optional<std::int64_t> fail_after_rows;
};

/// The outcome of a completed migration.
struct MigrateResult {
  /// True when an interrupted run was continued.
  bool resumed = false;
  /// Per table, in copy order: the verified count and checksum (equal on both sides).
  std::vector<std::pair<std::string, TableSummary>> tables;
};

/// Runs the whole migration. Throws MigrateError with an operator-facing message; the target
/// then still carries the progress table, which resumes the copy on the next run and makes
/// `ranvier serve` refuse the database meanwhile.
MigrateResult migrate_sqlite_to_postgres(const MigrateOptions& options);

/// For `ranvier serve`: a message when the database at `url` is the target of an unfinished
/// migrate-db run, nullopt otherwise (also when it cannot be reached: opening it reports
/// that). SQLite databases are never migrate-db targets.
std::optional<std::string> incomplete_migration(std::string_view url);

}  // namespace ranvier::storage::migrate
