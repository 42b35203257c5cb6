#pragma once
// Row count and checksum of one table on either side, over the normal form of every value in
// primary-key order, so a copy can be proven complete and unaltered.

#include "storage/migrate/pg_client.hpp"
#include "storage/migrate/sqlite_source.hpp"
#include "storage/migrate/table_plan.hpp"

#include <cstdint>
#include <string>

namespace ranvier::storage::migrate {

/// What verification compares.
struct TableSummary {
  std::int64_t rows = 0;
  std::string checksum;

  bool operator==(const TableSummary&) const = default;
};

/// The source table's summary. Values whose normal form only PostgreSQL computes (tsvector,
/// jsonb) are sent through `pg` in batches of `batch_size` rows.
TableSummary source_summary(SqliteSource& source, PgClient& pg, const TablePlan& plan,
                            std::int64_t batch_size);

/// The target table's summary, read through a cursor in batches of `batch_size` rows.
TableSummary target_summary(PgClient& pg, const TablePlan& plan, std::int64_t batch_size);

}  // namespace ranvier::storage::migrate
