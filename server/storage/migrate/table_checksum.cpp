#include "storage/migrate/table_checksum.hpp"

#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/table_copy.hpp"
#include "storage/migrate/values.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::storage::migrate {
namespace {

// Normal forms of one batch of source rows; derived columns are still source text.
using Batch = std::vector<std::vector<Text>>;

void add_batch(PgClient& pg, const TablePlan& plan, Batch& batch, RowChecksum& sum) {
  std::vector<std::size_t> derived;
  for (std::size_t i = 0; i < plan.columns.size(); ++i) {
    if (derived_by_postgres(plan.columns[i].type)) {
      derived.push_back(i);
    }
  }
  if (!derived.empty() && !batch.empty()) {
    std::string exprs;
    std::string fields = "i bigint";
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t n = 0; n < derived.size(); ++n) {
      const std::string field = "c" + std::to_string(n);
      exprs += (n == 0 ? "(" : ", (") + target_expression(plan.columns[derived[n]], "r." + field) +
               ")::text";
      fields += ", " + field + " text";
    }
    for (std::size_t r = 0; r < batch.size(); ++r) {
      nlohmann::json object{{"i", r}};
      for (std::size_t n = 0; n < derived.size(); ++n) {
        const Text& value = batch[r][derived[n]];
        object["c" + std::to_string(n)] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
      }
      rows.push_back(std::move(object));
    }
    auto converted = pg.query("SELECT " + exprs + " FROM json_to_recordset($1::json) AS r(" +
                                  fields + ") ORDER BY r.i",
                              {rows.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
    for (std::size_t r = 0; r < batch.size(); ++r) {
      for (std::size_t n = 0; n < derived.size(); ++n) {
        batch[r][derived[n]] = converted.at(r).at(n);
      }
    }
  }
  for (const auto& row : batch) {
    for (const Text& value : row) {
      sum.add_value(value);
    }
    sum.end_row();
  }
  batch.clear();
}

}  // namespace

TableSummary source_summary(SqliteSource& source, PgClient& pg, const TablePlan& plan,
                            std::int64_t batch_size) {
  SourceCursor cursor(source, source_select(plan, false));
  RowChecksum sum;
  Batch batch;
  std::vector<SourceValue> row;
  while (cursor.next(row)) {
    std::vector<Text> values;
    values.reserve(plan.columns.size());
    for (std::size_t i = 0; i < plan.columns.size(); ++i) {
      values.push_back(normal_form(row.at(i), plan.columns[i].type,
                                   plan.name + "." + plan.columns[i].target));
    }
    batch.push_back(std::move(values));
    if (static_cast<std::int64_t>(batch.size()) >= batch_size) {
      add_batch(pg, plan, batch, sum);
    }
  }
  add_batch(pg, plan, batch, sum);
  return {sum.rows(), sum.finish()};
}

TableSummary target_summary(PgClient& pg, const TablePlan& plan, std::int64_t batch_size) {
  // Output columns get names of their own: ORDER BY would otherwise take `id` to mean the
  // text output column `id::text` and sort 10 before 9.
  std::string columns;
  for (std::size_t i = 0; i < plan.columns.size(); ++i) {
    columns += (i == 0 ? "" : ", ") + quote_ident(plan.columns[i].target) + "::text AS v" +
               std::to_string(i);
  }
  // Byte order for text keys, as SQLite's BINARY collation sorts them.
  std::string keys;
  for (std::size_t index : plan.key) {
    const ColumnPlan& column = plan.columns[index];
    keys += (keys.empty() ? "" : ", ") + quote_ident(column.target) +
            (column.type == ColumnType::text ? " COLLATE \"C\"" : "");
  }
  RowChecksum sum;
  pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    pg.execute("DECLARE ranvier_verify NO SCROLL CURSOR FOR SELECT " + columns + " FROM " +
               quote_ident(plan.name) + " ORDER BY " + keys);
    const std::string fetch = "FETCH " + std::to_string(batch_size) + " FROM ranvier_verify";
    for (;;) {
      auto rows = pg.query(fetch);
      for (const TextRow& row : rows) {
        for (const Text& value : row) {
          sum.add_value(value);
        }
        sum.end_row();
      }
      if (static_cast<std::int64_t>(rows.size()) < batch_size) {
        break;
      }
    }
    pg.execute("COMMIT");
  } catch (...) {
    try {
      pg.execute("ROLLBACK");
    } catch (const MigrateError&) {
    }
    throw;
  }
  return {sum.rows(), sum.finish()};
}

}  // namespace ranvier::storage::migrate
