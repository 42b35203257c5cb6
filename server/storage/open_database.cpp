#include "storage/database.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace ranvier::storage {

std::unique_ptr<Database> open_database(std::string_view url, const OpenOptions& options) {
  DatabaseUrl parsed = parse_database_url(url);
  if (parsed.backend == Backend::sqlite) {
    return sqlite::open(parsed.location, options);
  }
  return postgres::open(parsed.location, parsed.redacted, options);
}

}  // namespace ranvier::storage
