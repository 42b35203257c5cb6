#include "storage/migrate/table_plan.hpp"

#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/pg_client.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace ranvier::storage::migrate {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

TablePlan plan_table(const SourceTable& source, const TargetTable& target,
                     std::vector<std::string>& problems) {
  TablePlan plan;
  plan.name = target.name;
  std::set<std::string> unused_source(source.columns.begin(), source.columns.end());
  std::vector<std::size_t> unmatched;
  for (const TargetColumn& column : target.columns) {
    auto type = column_type_from_udt(column.udt_name);
    if (!type) {
      problems.push_back(target.name + "." + column.name + " has PostgreSQL type " +
                         column.udt_name + ", which this tool cannot fill");
      continue;
    }
    ColumnPlan entry{column.name, *type, ""};
    if (unused_source.erase(column.name) != 0) {
      entry.source_expr = sqlite_ident(column.name);
    } else {
      unmatched.push_back(plan.columns.size());
    }
    plan.columns.push_back(std::move(entry));
  }
  for (std::size_t index : unmatched) {
    ColumnPlan& column = plan.columns[index];
    const bool single_key = target.primary_key == std::vector<std::string>{column.target};
    if (source.full_text && single_key && column.type == ColumnType::integer) {
      column.source_expr = "rowid";
    } else if (source.full_text && column.type == ColumnType::tsvector &&
               unused_source.size() == 1) {
      column.source_expr = sqlite_ident(*unused_source.begin());
      unused_source.clear();
    } else {
      problems.push_back(target.name + "." + column.target +
                         " exists in PostgreSQL but not in SQLite");
    }
  }
  for (const std::string& name : unused_source) {
    problems.push_back(target.name + "." + name + " exists in SQLite but not in PostgreSQL");
  }
  if (target.primary_key.empty()) {
    problems.push_back(target.name + " has no primary key in PostgreSQL; rows cannot be ordered");
  }
  for (const std::string& key : target.primary_key) {
    for (std::size_t i = 0; i < plan.columns.size(); ++i) {
      if (plan.columns[i].target == key) {
        plan.key.push_back(i);
      }
    }
  }
  return plan;
}

}  // namespace

std::vector<TablePlan> plan_tables(const std::vector<SourceTable>& source,
                                   const std::vector<TargetTable>& target,
                                   const std::vector<ForeignKey>& foreign_keys) {
  std::map<std::string, const SourceTable*> by_name;
  for (const SourceTable& table : source) {
    by_name[table.name] = &table;
  }
  std::vector<std::string> problems;
  std::map<std::string, TablePlan> plans;
  for (const TargetTable& table : target) {
    auto found = by_name.find(table.name);
    if (found == by_name.end()) {
      problems.push_back("table " + table.name + " exists in PostgreSQL but not in SQLite");
      continue;
    }
    plans.emplace(table.name, plan_table(*found->second, table, problems));
    by_name.erase(found);
  }
  for (const auto& [name, table] : by_name) {
    problems.push_back("table " + name + " exists in SQLite but not in PostgreSQL");
  }
  if (!problems.empty()) {
    throw MigrateError("the SQLite and PostgreSQL schemas do not match: " + join(problems));
  }
  // Kahn's algorithm over the foreign keys; a self-reference (state_groups.parent_id) is
  // satisfied by copying in key order, since a parent row is older than its children.
  std::map<std::string, std::set<std::string>> waits_for;
  for (const auto& [name, plan] : plans) {
    waits_for[name];
  }
  for (const auto& [child, parent] : foreign_keys) {
    if (child != parent && plans.contains(child) && plans.contains(parent)) {
      waits_for[child].insert(parent);
    }
  }
  std::vector<TablePlan> ordered;
  while (!waits_for.empty()) {
    auto ready = std::find_if(waits_for.begin(), waits_for.end(),
                              [](const auto& entry) { return entry.second.empty(); });
    if (ready == waits_for.end()) {
      throw MigrateError("the foreign keys between tables form a cycle; cannot order the copy");
    }
    const std::string name = ready->first;
    waits_for.erase(ready);
    for (auto& [other, parents] : waits_for) {
      parents.erase(name);
    }
    ordered.push_back(std::move(plans.at(name)));
  }
  return ordered;
}

std::string target_expression(const ColumnPlan& column, const std::string& input) {
  if (column.type == ColumnType::tsvector) {
    return "to_tsvector(" + quote_literal(text_search_config) + ", " + input + ")";
  }
  return input + "::" + std::string(cast_name(column.type));
}

}  // namespace ranvier::storage::migrate
