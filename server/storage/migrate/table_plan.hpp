#pragma once
// Which source column fills which target column, and in which order tables are copied.
// Both lists come from the live schemas (SQLite's pragmas, PostgreSQL's information_schema),
// never from a list kept by hand: a table or column present on one side only is an error, so a
// new migration that forgets the other backend is caught instead of silently not copied.

#include "storage/migrate/sqlite_source.hpp"
#include "storage/migrate/values.hpp"

#include <string>
#include <utility>
#include <vector>

namespace ranvier::storage::migrate {

/// A column as PostgreSQL describes it.
struct TargetColumn {
  std::string name;
  /// information_schema.columns.udt_name (int8, bool, text, tsvector, ...).
  std::string udt_name;
};

/// A table as PostgreSQL describes it.
struct TargetTable {
  std::string name;
  std::vector<TargetColumn> columns;
  /// Primary key columns in key order.
  std::vector<std::string> primary_key;
};

/// One target column and where its value comes from.
struct ColumnPlan {
  std::string target;
  ColumnType type;
  /// The SQLite expression read for it: a quoted column name, or rowid.
  std::string source_expr;
};

/// How one table is copied and compared.
struct TablePlan {
  std::string name;
  /// In target column order.
  std::vector<ColumnPlan> columns;
  /// Indexes into `columns` of the target's primary key, in key order: rows are copied and
  /// checksummed in this order on both sides.
  std::vector<std::size_t> key;
};

/// A foreign key: `child` references `parent`.
using ForeignKey = std::pair<std::string, std::string>;

/// The text search configuration the PostgreSQL backend indexes with (see the `insert` of
/// storage/postgres/notification_sql.hpp); FTS5 rows are turned into tsvectors with it.
inline constexpr std::string_view text_search_config = "english";

/// Matches the two schemas and orders the tables so a referenced table is copied before the
/// tables referencing it (ties by name). Columns match by name; an FTS5 source table's rowid
/// fills the target's single integer key column and its one remaining text column fills the
/// target's tsvector column. Throws MigrateError naming every mismatch.
std::vector<TablePlan> plan_tables(const std::vector<SourceTable>& source,
                                   const std::vector<TargetTable>& target,
                                   const std::vector<ForeignKey>& foreign_keys);

/// The PostgreSQL expression turning the text input `input` (e.g. r."c0") into the column's
/// value: a cast, or to_tsvector for full-text columns.
std::string target_expression(const ColumnPlan& column, const std::string& input);

}  // namespace ranvier::storage::migrate
