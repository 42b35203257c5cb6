#include "storage/migrate/migrate_db.hpp"

#include "storage/database.hpp"
#include "storage/errors.hpp"
#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/sqlite_source.hpp"
#include "storage/migrate/table_copy.hpp"
#include "storage/migrate/target_schema.hpp"

#include <unistd.h>

#include <filesystem>
#include <map>

namespace ranvier::storage::migrate {
namespace {

using Totals = std::map<std::string, std::int64_t>;

std::string rows_text(std::int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

// Row counts of a freshly migrated database: migrations seed a few rows (event_stream's one
// row), which do not make a target "hold data". Taken from a throw-away SQLite database so
// the rule follows the migrations instead of a list.
Totals seed_counts() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ranvier-migrate-seed-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Totals counts;
  try {
    const std::string path = (dir / "seed.db").string();
    open_database("sqlite://" + path).reset();
    SqliteSource seed(path);
    for (const SourceTable& table : seed.tables()) {
      counts[table.name] = seed.count(table.name);
    }
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::filesystem::remove_all(dir);
  return counts;
}

// "events: 120 rows, accounts: 3 rows" for every target table holding more than its seed.
std::string target_data(PgClient& pg) {
  const Totals seeds = seed_counts();
  std::string out;
  for (const TargetTable& table : read_target_tables(pg)) {
    auto rows = pg.query("SELECT COUNT(*) FROM " + quote_ident(table.name));
    const std::int64_t count = std::stoll(*rows.at(0).at(0));
    auto seed = seeds.find(table.name);
    if (count > (seed == seeds.end() ? 0 : seed->second)) {
      out += (out.empty() ? "" : ", ") + table.name + ": " + rows_text(count);
    }
  }
  return out;
}

void in_transaction(PgClient& pg, const std::function<void()>& body) {
  pg.execute("BEGIN");
  try {
    body();
    pg.execute("COMMIT");
  } catch (...) {
    try {
      pg.execute("ROLLBACK");
    } catch (const MigrateError&) {
    }
    throw;
  }
}

// Marks the target incomplete and empties it, atomically: either the old contents stay and no
// marker exists, or the marker exists over empty tables.
void start_fresh(PgClient& pg, const std::vector<TablePlan>& plans, const Totals& totals,
                 const std::string& source, int version) {
  in_transaction(pg, [&] {
    const std::string table = quote_ident(progress_table);
    pg.execute("DROP TABLE IF EXISTS " + table);
    pg.execute("CREATE TABLE " + table +
               " (table_name text PRIMARY KEY, source text NOT NULL, source_version integer "
               "NOT NULL, source_rows bigint NOT NULL, rows_done bigint NOT NULL DEFAULT 0, "
               "last_key text, done boolean NOT NULL DEFAULT false)");
    pg.execute("COMMENT ON TABLE " + table +
               " IS 'ranvier migrate-db has not finished copying into this database; "
               "ranvier serve refuses it until a run completes'");
    std::string names;
    for (const TablePlan& plan : plans) {
      names += (names.empty() ? "" : ", ") + quote_ident(plan.name);
      pg.query("INSERT INTO " + table +
                   " (table_name, source, source_version, source_rows) VALUES ($1, $2, $3, $4)",
               {plan.name, source, std::to_string(version), std::to_string(totals.at(plan.name))});
    }
    pg.execute("TRUNCATE " + names + " RESTART IDENTITY");
  });
}

struct Progress {
  std::int64_t rows_done = 0;
  std::optional<std::string> last_key;
  bool done = false;
};

// The recorded progress of an interrupted run, checked against the source as it is now.
std::map<std::string, Progress> read_progress(PgClient& pg, const std::vector<TablePlan>& plans,
                                              const Totals& totals, int version) {
  std::map<std::string, Progress> out;
  for (const TextRow& row :
       pg.query("SELECT table_name, source_version, source_rows, rows_done, last_key, done FROM " +
                quote_ident(progress_table))) {
    const std::string& name = *row.at(0);
    if (std::stoi(*row.at(1)) != version) {
      throw MigrateError("the interrupted run copied from schema version " + *row[1] +
                         ", the source is at " + std::to_string(version) +
                         "; run again with --force to start over");
    }
    auto total = totals.find(name);
    if (total != totals.end() && std::stoll(*row.at(2)) != total->second) {
      throw MigrateError("the source changed since the interrupted run (" + name + ": " +
                         rows_text(std::stoll(*row[2])) + " then, " + rows_text(total->second) +
                         " now); run again with --force to start over");
    }
    out[name] = Progress{std::stoll(*row.at(3)), row.at(4), *row.at(5) == "t"};
  }
  for (const TablePlan& plan : plans) {
    if (!out.contains(plan.name)) {
      throw MigrateError("the interrupted run has no progress for table " + plan.name +
                         "; run again with --force to start over");
    }
  }
  return out;
}

void set_sequences(PgClient& pg, SqliteSource& source, const std::vector<TablePlan>& plans,
                   const MigrateOptions& options) {
  for (const SequenceOwner& owner : read_sequences(pg)) {
    auto rows = pg.query("SELECT MAX(" + quote_ident(owner.column) + ")::text FROM " +
                         quote_ident(owner.table));
    std::optional<std::int64_t> high;
    if (rows.at(0).at(0)) {
      high = std::stoll(*rows[0][0]);
    }
    // SQLite's AUTOINCREMENT never hands out a number again, even after its row is gone.
    for (const TablePlan& plan : plans) {
      if (plan.name == owner.table && plan.key.size() == 1 &&
          plan.columns[plan.key[0]].target == owner.column) {
        if (auto seq = source.autoincrement_value(owner.table); seq && (!high || *seq > *high)) {
          high = seq;
        }
      }
    }
    // Sequences start at 1; an empty table (or a zero AUTOINCREMENT mark) leaves it there.
    if (high && *high < 1) {
      high.reset();
    }
    pg.query("SELECT setval(format('%I.%I', current_schema(), $1::text)::regclass, $2::bigint, $3::boolean)",
             {owner.sequence, std::to_string(high.value_or(1)), std::string(high ? "t" : "f")});
    options.report("sequence " + owner.sequence + " (" + owner.table + "." + owner.column +
                   "): next value " + std::to_string(high.value_or(0) + 1));
  }
}

}  // namespace

MigrateResult migrate_sqlite_to_postgres(const MigrateOptions& options) {
  if (options.batch_size < 1) {
    throw MigrateError("--batch-size must be at least 1");
  }
  SqliteSource source(options.source_path);
  const int version = source.schema_version();
  PgClient pg(options.target_url);
  const bool interrupted = target_has_table(pg, progress_table);
  if (!interrupted || options.force) {
    if (target_schema_version(pg) == 0 && !read_target_tables(pg).empty()) {
      throw MigrateError("the target " + pg.label() +
                         " holds tables but is not a Ranvier database (no schema_migrations); "
                         "use an empty database");
    }
    const std::string data = target_data(pg);
    if (!data.empty() && !options.force) {
      throw MigrateError("the target " + pg.label() + " already holds data (" + data +
                         "); nothing was written. Use an empty database, or --force to delete "
                         "its contents and copy anyway");
    }
  }
  try {
    // The normal PostgreSQL migrations create (or complete) the target's schema.
    open_database(options.target_url).reset();
  } catch (const StorageError& error) {
    throw MigrateError(std::string("preparing the target: ") + error.what());
  }
  const int target_version = target_schema_version(pg);
  if (version != target_version) {
    throw MigrateError(
        "the source is at schema version " + std::to_string(version) + ", the target at " +
        std::to_string(target_version) +
        (version < target_version
             ? "; start the server once on the SQLite database with this ranvier version (it "
               "applies its migrations), stop it, then migrate"
             : "; the source was written by a newer ranvier, use that version to migrate"));
  }
  const auto plans = plan_tables(source.tables(), read_target_tables(pg), read_foreign_keys(pg));
  read_sequences(pg);  // every sequence must have an owner before anything is written
  Totals totals;
  for (const TablePlan& plan : plans) {
    totals[plan.name] = source.count(plan.name);
  }

  MigrateResult result;
  result.resumed = interrupted && !options.force;
  if (result.resumed) {
    options.report("resuming the interrupted migration into " + pg.label());
  } else {
    start_fresh(pg, plans, totals, options.source_path, version);
  }
  auto progress = read_progress(pg, plans, totals, version);

  std::int64_t copied = 0;
  for (const TablePlan& plan : plans) {
    Progress& state = progress.at(plan.name);
    const std::string total = std::to_string(totals.at(plan.name));
    if (state.done) {
      options.report(plan.name + ": " + std::to_string(state.rows_done) + " / " + total +
                     " rows (copied earlier)");
      continue;
    }
    for (;;) {
      SourceBatch batch = read_batch(source, plan, state.last_key, options.batch_size);
      const bool finished = batch.rows < options.batch_size;
      write_batch(pg, plan, batch, finished);
      state.rows_done += batch.rows;
      copied += batch.rows;
      if (batch.rows > 0) {
        state.last_key = batch.last_key;
      }
      options.report(plan.name + ": " + std::to_string(state.rows_done) + " / " + total + " rows");
      if (options.fail_after_rows && copied >= *options.fail_after_rows) {
        throw MigrateError("stopped after " + std::to_string(copied) +
                           " rows as RANVIER_MIGRATE_DB_FAIL_AFTER_ROWS asks (tests only)");
      }
      if (finished) {
        break;
      }
    }
  }

  set_sequences(pg, source, plans, options);

  std::string mismatches;
  for (const TablePlan& plan : plans) {
    const TableSummary want = source_summary(source, pg, plan, options.batch_size);
    const TableSummary have = target_summary(pg, plan, options.batch_size);
    if (want != have) {
      mismatches += (mismatches.empty() ? "" : "; ") + plan.name + ": source " +
                    rows_text(want.rows) + " " + want.checksum.substr(0, 16) + ", target " +
                    rows_text(have.rows) + " " + have.checksum.substr(0, 16);
      continue;
    }
    options.report("verified " + plan.name + ": " + rows_text(have.rows) + ", sha256 " +
                   have.checksum.substr(0, 16));
    result.tables.emplace_back(plan.name, have);
  }
  if (!mismatches.empty()) {
    throw MigrateError("verification failed, the target stays marked incomplete (" + mismatches +
                       "); run again with --force to copy from scratch");
  }
  pg.execute("DROP TABLE " + quote_ident(progress_table));
  pg.execute("ANALYZE");
  return result;
}

std::optional<std::string> incomplete_migration(std::string_view url) {
  try {
    if (parse_database_url(url).backend != Backend::postgres) {
      return std::nullopt;
    }
    PgClient pg(url);
    if (!target_has_table(pg, progress_table)) {
      return std::nullopt;
    }
    auto rows = pg.query("SELECT COUNT(*) FILTER (WHERE done), COUNT(*), MIN(source) FROM " +
                         quote_ident(progress_table));
    const TextRow& row = rows.at(0);
    return "the database " + pg.label() + " is the target of an unfinished `ranvier migrate-db` (" +
           row.at(0).value_or("0") + " of " + row.at(1).value_or("0") + " tables copied from " +
           row.at(2).value_or("?") +
           "); run the same migrate-db command again to finish it (it resumes), or --force to "
           "start over";
  } catch (const StorageError&) {
    return std::nullopt;
  } catch (const MigrateError&) {
    return std::nullopt;
  }
}

}  // namespace ranvier::storage::migrate
