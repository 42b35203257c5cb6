// `ranvier migrate-db`: copy a stopped server's SQLite database into PostgreSQL (the work is
// in storage/migrate; this file is the command line around it).

#include "app/args.hpp"
#include "app/commands.hpp"
#include "storage/database_url.hpp"
#include "storage/errors.hpp"
#include "storage/migrate/migrate_db.hpp"
#include "storage/migrate/migrate_error.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>

namespace ranvier::app {
namespace {

constexpr const char* summary =
    "Copies every table of a Ranvier SQLite database into a PostgreSQL database, converting\n"
    "types (0/1 to booleans, the FTS5 search index to tsvector columns), then sets the\n"
    "sequences past the copied numbers and verifies each table's row count and checksum.\n\n"
    "The source must be a STOPPED server's database: it is opened read-only and refused while\n"
    "another process has it open. The server's write-ahead log (the -wal file) is read with it,\n"
    "so nothing written before the stop is lost. The target's schema is created by the normal\n"
    "PostgreSQL migrations; a target that already holds data is refused (its tables are named)\n"
    "unless --force, which deletes that data first.\n\n"
    "Resuming: rows are copied in batches, one transaction each, and the progress is recorded\n"
    "in the target (table ranvier_migrate_db_progress). If a run is interrupted or fails, run\n"
    "the same command again: it continues after the last committed batch. Until a run\n"
    "completes, `ranvier serve` refuses the target. --force starts over instead.\n\n"
    "Afterwards, set `database:` in ranvier.yaml to the PostgreSQL URL and start the server.";

// RANVIER_MIGRATE_DB_FAIL_AFTER_ROWS: the conformance tests stop a run mid-copy with it.
std::optional<std::int64_t> injected_failure() {
  const char* value = std::getenv("RANVIER_MIGRATE_DB_FAIL_AFTER_ROWS");
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::stoll(value);
}

}  // namespace

int run_migrate_db(int argc, char** argv) {
  Args args("migrate-db", summary);
  args.option("from", "the SQLite database: sqlite:///var/lib/ranvier/ranvier.db", true)
      .option("to", "the PostgreSQL database: postgres://user:password@host:5432/dbname", true)
      .flag("force", "delete what the target holds (or an interrupted run's copy) and start over")
      .option("batch-size", "rows per transaction (default 1000)");
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  storage::migrate::MigrateOptions options;
  try {
    const auto from = storage::parse_database_url(args.value("from"));
    if (from.backend != storage::Backend::sqlite) {
      std::cerr << "ranvier migrate-db: --from must be a sqlite:// URL\n";
      return 2;
    }
    const auto to = storage::parse_database_url(args.value("to"));
    if (to.backend != storage::Backend::postgres) {
      std::cerr << "ranvier migrate-db: --to must be a postgres:// URL\n";
      return 2;
    }
    options.source_path = from.location;
  } catch (const storage::StorageError& error) {
    std::cerr << "ranvier migrate-db: " << error.what() << "\n";
    return 2;
  }
  options.target_url = args.value("to");
  options.force = args.has("force");
  if (auto batch = args.get("batch-size")) {
    auto [ptr, ec] = std::from_chars(batch->data(), batch->data() + batch->size(), options.batch_size);
    if (ec != std::errc() || ptr != batch->data() + batch->size() || options.batch_size < 1 ||
        options.batch_size > 100'000) {
      std::cerr << "ranvier migrate-db: --batch-size must be a number from 1 to 100000\n";
      return 2;
    }
  }
  options.report = [](const std::string& line) { std::cout << line << std::endl; };
  try {
    options.fail_after_rows = injected_failure();
    const auto result = storage::migrate::migrate_sqlite_to_postgres(options);
    std::int64_t rows = 0;
    for (const auto& [name, summary] : result.tables) {
      rows += summary.rows;
    }
    std::cout << "migration " << (result.resumed ? "resumed and " : "") << "complete: "
              << result.tables.size() << " tables, " << rows
              << " rows, every count and checksum matches\n";
    return 0;
  } catch (const storage::migrate::MigrateError& error) {
    std::cerr << "ranvier migrate-db: " << error.what() << "\n";
  } catch (const storage::StorageError& error) {
    std::cerr << "ranvier migrate-db: " << error.what() << "\n";
  } catch (const std::exception& error) {
    std::cerr << "ranvier migrate-db: unexpected error: " << error.what() << "\n";
  }
  return 1;
}

}  // namespace ranvier::app
