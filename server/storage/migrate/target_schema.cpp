#include "storage/migrate/target_schema.hpp"

#include "storage/migrate/migrate_error.hpp"

#include <map>

namespace ranvier::storage::migrate {

std::vector<TargetTable> read_target_tables(PgClient& pg) {
  auto columns = pg.query(
      "SELECT c.table_name, c.column_name, c.udt_name FROM information_schema.columns c"
      " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
      " AND t.table_name = c.table_name"
      " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
      " AND c.table_name NOT IN ('schema_migrations', $1)"
      " ORDER BY c.table_name, c.ordinal_position",
      {std::string(progress_table)});
  std::map<std::string, TargetTable> tables;
  for (const TextRow& row : columns) {
    TargetTable& table = tables[*row.at(0)];
    table.name = *row[0];
    table.columns.push_back({*row.at(1), *row.at(2)});
  }
  auto keys = pg.query(
      "SELECT k.table_name, k.column_name FROM information_schema.table_constraints c"
      " JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema"
      " AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name"
      " WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY'"
      " ORDER BY k.table_name, k.ordinal_position");
  for (const TextRow& row : keys) {
    auto found = tables.find(*row.at(0));
    if (found != tables.end()) {
      found->second.primary_key.push_back(*row.at(1));
    }
  }
  std::vector<TargetTable> out;
  for (auto& [name, table] : tables) {
    out.push_back(std::move(table));
  }
  return out;
}

std::vector<ForeignKey> read_foreign_keys(PgClient& pg) {
  std::vector<ForeignKey> out;
  for (const TextRow& row :
       pg.query("SELECT child.relname, parent.relname FROM pg_constraint k"
                " JOIN pg_class child ON child.oid = k.conrelid"
                " JOIN pg_class parent ON parent.oid = k.confrelid"
                " WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace")) {
    out.emplace_back(*row.at(0), *row.at(1));
  }
  return out;
}

std::vector<SequenceOwner> read_sequences(PgClient& pg) {
  auto rows = pg.query(
      "SELECT s.relname, t.relname, a.attname FROM pg_class s"
      " LEFT JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass"
      " AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
      " LEFT JOIN pg_class t ON t.oid = d.refobjid"
      " LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
      " WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"
      " ORDER BY s.relname");
  std::vector<SequenceOwner> out;
  for (const TextRow& row : rows) {
    if (!row.at(1) || !row.at(2)) {
      throw MigrateError("sequence " + *row.at(0) +
                         " is owned by no column, so its next value cannot be derived from the "
                         "copied rows (a migration should say ALTER SEQUENCE ... OWNED BY)");
    }
    out.push_back({*row[0], *row[1], *row[2]});
  }
  return out;
}

bool target_has_table(PgClient& pg, std::string_view name) {
  return !pg.query("SELECT 1 FROM information_schema.tables"
                   " WHERE table_schema = current_schema() AND table_name = $1",
                   {std::string(name)})
              .empty();
}

int target_schema_version(PgClient& pg) {
  if (!target_has_table(pg, "schema_migrations")) {
    return 0;
  }
  auto rows = pg.query("SELECT MAX(version) FROM schema_migrations");
  return rows.empty() || !rows[0].at(0) ? 0 : std::stoi(*rows[0][0]);
}

}  // namespace ranvier::storage::migrate
