#include "storage/migrate/table_copy.hpp"

#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/target_schema.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::storage::migrate {
namespace {

std::string field_name(std::size_t index) { return "c" + std::to_string(index); }

// nlohmann refuses to serialise invalid UTF-8; PostgreSQL would refuse it as well.
std::string dump(const nlohmann::json& value, const std::string& where) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    throw MigrateError(where + ": holds text that is not valid UTF-8");
  }
}

}  // namespace

std::string source_select(const TablePlan& plan, bool after_key, std::int64_t limit) {
  std::string columns;
  for (const ColumnPlan& column : plan.columns) {
    columns += (columns.empty() ? "" : ", ") + column.source_expr;
  }
  std::string keys;
  std::string params;
  for (std::size_t i = 0; i < plan.key.size(); ++i) {
    keys += (i == 0 ? "" : ", ") + plan.columns[plan.key[i]].source_expr;
    params += (i == 0 ? "?" : ", ?") + std::to_string(i + 1);
  }
  std::string sql = "SELECT " + columns + " FROM " + sqlite_ident(plan.name);
  if (after_key) {
    sql += " WHERE (" + keys + ") > (" + params + ")";
  }
  sql += " ORDER BY " + keys;
  if (limit > 0) {
    sql += " LIMIT " + std::to_string(limit);
  }
  return sql;
}

void bind_key(SourceCursor& cursor, const TablePlan& plan, const std::string& key_json) {
  const auto key = nlohmann::json::parse(key_json, nullptr, false);
  if (!key.is_array() || key.size() != plan.key.size()) {
    throw MigrateError("the progress recorded for " + plan.name + " is unreadable (" + key_json +
                       "); start again with --force");
  }
  for (std::size_t i = 0; i < plan.key.size(); ++i) {
    const std::string value = key[i].get<std::string>();
    if (plan.columns[plan.key[i]].type == ColumnType::integer) {
      cursor.bind_int(static_cast<int>(i + 1), std::stoll(value));
    } else {
      cursor.bind_text(static_cast<int>(i + 1), value);
    }
  }
}

std::string insert_statement(const TablePlan& plan) {
  std::string targets;
  std::string values;
  std::string fields;
  for (std::size_t i = 0; i < plan.columns.size(); ++i) {
    const std::string sep = i == 0 ? "" : ", ";
    targets += sep + quote_ident(plan.columns[i].target);
    values += sep + target_expression(plan.columns[i], "r." + field_name(i));
    fields += sep + field_name(i) + " text";
  }
  // OVERRIDING SYSTEM VALUE: identity columns (GENERATED ALWAYS) take the copied numbers.
  return "INSERT INTO " + quote_ident(plan.name) + " (" + targets +
         ") OVERRIDING SYSTEM VALUE SELECT " + values + " FROM json_to_recordset($1::json) AS r(" +
         fields + ")";
}

SourceBatch read_batch(SqliteSource& source, const TablePlan& plan,
                       const std::optional<std::string>& after_key, std::int64_t limit) {
  SourceCursor cursor(source, source_select(plan, after_key.has_value(), limit));
  if (after_key) {
    bind_key(cursor, plan, *after_key);
  }
  SourceBatch batch;
  nlohmann::json rows = nlohmann::json::array();
  nlohmann::json last_key = nlohmann::json::array();
  std::vector<SourceValue> row;
  while (cursor.next(row)) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t i = 0; i < plan.columns.size(); ++i) {
      auto value = normal_form(row.at(i), plan.columns[i].type, plan.name + "." + plan.columns[i].target);
      object[field_name(i)] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    }
    last_key = nlohmann::json::array();
    for (std::size_t index : plan.key) {
      last_key.push_back(object[field_name(index)]);
    }
    rows.push_back(std::move(object));
    ++batch.rows;
  }
  batch.json = dump(rows, "table " + plan.name);
  batch.last_key = dump(last_key, "the key of table " + plan.name);
  return batch;
}

void write_batch(PgClient& pg, const TablePlan& plan, const SourceBatch& batch, bool table_done) {
  pg.execute("BEGIN");
  try {
    if (batch.rows > 0) {
      pg.query(insert_statement(plan), {batch.json});
    }
    pg.query("UPDATE " + quote_ident(progress_table) +
                 " SET rows_done = rows_done + $1::bigint,"
                 " last_key = COALESCE($2, last_key), done = $3::boolean WHERE table_name = $4",
             {std::to_string(batch.rows),
              batch.rows > 0 ? Text(batch.last_key) : Text(std::nullopt),
              std::string(table_done ? "t" : "f"), plan.name});
    pg.execute("COMMIT");
  } catch (...) {
    try {
      pg.execute("ROLLBACK");
    } catch (const MigrateError&) {
    }
    throw;
  }
}

}  // namespace ranvier::storage::migrate
