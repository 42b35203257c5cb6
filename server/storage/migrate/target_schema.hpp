#pragma once
// What the PostgreSQL target's catalog says about its tables, keys and sequences (in the
// connection's current schema, so a search_path set in the URL is honoured).

#include "storage/migrate/pg_client.hpp"
#include "storage/migrate/table_plan.hpp"

#include <string>
#include <vector>

namespace ranvier::storage::migrate {

/// The table migrate-db keeps its progress in while a copy is under way; its presence marks
/// the database as an incomplete migration.
inline constexpr std::string_view progress_table = "ranvier_migrate_db_progress";

/// Base tables of the current schema with their columns and primary keys, without
/// schema_migrations and the progress table.
std::vector<TargetTable> read_target_tables(PgClient& pg);

/// Every foreign key between tables of the current schema.
std::vector<ForeignKey> read_foreign_keys(PgClient& pg);

/// A sequence and the column it numbers.
struct SequenceOwner {
  std::string sequence;
  std::string table;
  std::string column;
};

/// Every sequence of the current schema with the column owning it (identity, serial or
/// OWNED BY). Throws MigrateError for a sequence no column owns: its next value could not be
/// derived from copied rows.
std::vector<SequenceOwner> read_sequences(PgClient& pg);

/// Whether a table of this name exists in the current schema.
bool target_has_table(PgClient& pg, std::string_view name);

/// MAX(version) of schema_migrations, or 0 without that table.
int target_schema_version(PgClient& pg);

}  // namespace ranvier::storage::migrate
