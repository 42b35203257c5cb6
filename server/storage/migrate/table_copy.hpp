#pragma once
// Copying one table's rows from SQLite to PostgreSQL in key order, a batch per transaction,
// with the batch's progress recorded in the same transaction (so an interrupted copy resumes
// after the last committed row and never copies a row twice).

#include "storage/migrate/pg_client.hpp"
#include "storage/migrate/sqlite_source.hpp"
#include "storage/migrate/table_plan.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ranvier::storage::migrate {

/// The SQLite SELECT reading a table's columns in the plan's order, sorted by its key; with
/// `after_key`, only rows after a key whose values are bound as ?1.. (see bind_key).
std::string source_select(const TablePlan& plan, bool after_key, std::int64_t limit = 0);

/// Binds a key (a JSON array of normal-form values, as stored in the progress table) to the
/// parameters of source_select(plan, true).
void bind_key(SourceCursor& cursor, const TablePlan& plan, const std::string& key_json);

/// The INSERT statement taking a batch as a JSON array of objects {"c0": text, ...} in $1.
std::string insert_statement(const TablePlan& plan);

/// One batch read from the source: its rows as the JSON array insert_statement takes, and the
/// key of its last row.
struct SourceBatch {
  std::int64_t rows = 0;
  std::string json;
  std::string last_key;
};

/// Reads up to `limit` rows after `after_key` (none: from the start) and converts them to the
/// target's types. Throws MigrateError naming a value that does not fit.
SourceBatch read_batch(SqliteSource& source, const TablePlan& plan,
                       const std::optional<std::string>& after_key, std::int64_t limit);

/// Inserts a batch and advances the table's progress row, in one transaction.
void write_batch(PgClient& pg, const TablePlan& plan, const SourceBatch& batch, bool table_done);

}  // namespace ranvier::storage::migrate
