#include "storage/postgres/postgres_database.hpp"
#include "storage/postgres/libpq.hpp"

#include "storage/errors.hpp"
#include "storage/postgres/pg_session.hpp"
#include "storage/postgres/postgres_dialect.hpp"
#include "storage/sql/pool.hpp"
#include "storage/sql/sql_database.hpp"


namespace ranvier::storage::postgres {
namespace {

constexpr std::size_t default_connections = 10;

void ignore_notice(void*, const char*) {}

// libpq's own parser decides what a URL means; asking it first turns a malformed URL into
// bad_url rather than a confusing connection failure.
void check_url(const std::string& url, const std::string& redacted) {
  char* error = nullptr;
  PQconninfoOption* options = libpq().PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string reason = error != nullptr ? trimmed_message(error) : "libpq cannot parse it";
    libpq().PQfreemem(error);
    throw StorageError(ErrorKind::bad_url, "invalid database URL '" + redacted + "': " + reason);
  }
  libpq().PQconninfoFree(options);
}

std::unique_ptr<sql::Session> connect(const std::string& url, const std::string& redacted,
                                      const OpenOptions& options) {
  const std::string timeout = std::to_string(options.connect_timeout.count());
  // Later entries override earlier ones, so settings in the URL win over these defaults.
  const char* const keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* const values[] = {timeout.c_str(), "ranvier", url.c_str(), nullptr};
  PGconn* conn = libpq().PQconnectdbParams(keys, values, 1);
  if (conn == nullptr || libpq().PQstatus(conn) != CONNECTION_OK) {
    std::string reason = conn != nullptr ? trimmed_message(libpq().PQerrorMessage(conn)) : "out of memory";
    libpq().PQfinish(conn);
    throw StorageError(ErrorKind::unavailable,
                       "cannot connect to PostgreSQL at " + redacted + ": " + reason);
  }
  // CREATE TABLE IF NOT EXISTS and friends emit notices that would otherwise go to stderr.
  libpq().PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  if (libpq().PQsetClientEncoding(conn, "UTF8") != 0) {
    libpq().PQfinish(conn);
    throw StorageError(ErrorKind::unavailable,
                       "PostgreSQL at " + redacted + " does not accept UTF8 client encoding");
  }
  // Session settings for short indexed statements (measured on state group lookups):
  // - jit: recursive CTEs over JSON sets get cost estimates high enough to trigger JIT
  //   compilation, tens of milliseconds for sub-millisecond work;
  // - plan_cache_mode: a prepared statement's generic plan is frozen from the table sizes of
  //   the moment (a hash join over a then-tiny state_groups) and stays after the table grew
  //   until autovacuum happens to analyze it; custom plans follow the current size.
  // A failure only means an old server without the setting.
  libpq().PQclear(libpq().PQexec(conn, "SET jit = off; SET plan_cache_mode = force_custom_plan"));
  return std::make_unique<PgSession>(conn, redacted);
}

}  // namespace

std::unique_ptr<Database> open(const std::string& url, const std::string& redacted,
                               const OpenOptions& options,
                               std::span<const sql::Migration> migrations) {
  check_url(url, redacted);
  auto pool = std::make_unique<sql::ConnectionPool>(
      "postgres", options.max_connections == 0 ? default_connections : options.max_connections,
      [url, redacted, options] { return connect(url, redacted, options); },
      options.pool_wait_timeout);
  auto db =
      std::make_unique<sql::SqlDatabase>(Backend::postgres, dialect(), std::move(pool), nullptr);
  db->migrate(migrations);
  return db;
}

}  // namespace ranvier::storage::postgres
