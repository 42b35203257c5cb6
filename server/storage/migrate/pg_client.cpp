#include "storage/migrate/pg_client.hpp"

#include "storage/database_url.hpp"
#include "storage/errors.hpp"
#include "storage/migrate/migrate_error.hpp"
#include "storage/postgres/libpq.hpp"
#include "storage/postgres/pg_session.hpp"

namespace ranvier::storage::migrate {
namespace {

using postgres::libpq;

void ignore_notice(void*, const char*) {}

// Frees a PGresult when it leaves scope.
struct ResultGuard {
  PGresult* result;
  ~ResultGuard() { libpq().PQclear(result); }
};

}  // namespace

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

PgClient::PgClient(std::string_view url) {
  DatabaseUrl parsed;
  try {
    parsed = parse_database_url(url);
  } catch (const StorageError& error) {
    throw MigrateError(error.what());
  }
  if (parsed.backend != Backend::postgres) {
    throw MigrateError("'" + parsed.redacted + "' is not a postgres:// URL");
  }
  label_ = parsed.redacted;
  try {
    const char* const keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* const values[] = {"10", "ranvier-migrate", parsed.location.c_str(), nullptr};
    conn_ = libpq().PQconnectdbParams(keys, values, 1);
  } catch (const StorageError& error) {
    throw MigrateError(error.what());
  }
  if (conn_ == nullptr || libpq().PQstatus(conn_) != CONNECTION_OK) {
    std::string reason =
        conn_ != nullptr ? postgres::trimmed_message(libpq().PQerrorMessage(conn_)) : "out of memory";
    libpq().PQfinish(conn_);
    conn_ = nullptr;
    throw MigrateError("cannot connect to PostgreSQL at " + label_ + ": " + reason);
  }
  libpq().PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  libpq().PQsetClientEncoding(conn_, "UTF8");
  // The normal form of bytea is hex; floats print the shortest exact text.
  try {
    execute("SET bytea_output = hex; SET extra_float_digits = 1; SET jit = off");
  } catch (const MigrateError&) {
    libpq().PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

PgClient::~PgClient() {
  if (conn_ != nullptr) {
    libpq().PQfinish(conn_);
  }
}

std::vector<TextRow> PgClient::query(std::string_view sql, const std::vector<Text>& params) {
  const std::string text(sql);
  ResultGuard prepared{libpq().PQprepare(conn_, "", text.c_str(), static_cast<int>(params.size()),
                                         nullptr)};
  if (libpq().PQresultStatus(prepared.result) != PGRES_COMMAND_OK) {
    throw MigrateError("PostgreSQL at " + label_ + ": " +
                       postgres::trimmed_message(libpq().PQresultErrorMessage(prepared.result)) +
                       " (in: " + text.substr(0, 200) + ")");
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Text& param : params) {
    values.push_back(param ? param->c_str() : nullptr);
  }
  ResultGuard result{libpq().PQexecPrepared(conn_, "", static_cast<int>(values.size()),
                                            values.data(), nullptr, nullptr, 0)};
  const ExecStatusType status = libpq().PQresultStatus(result.result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw MigrateError("PostgreSQL at " + label_ + ": " +
                       postgres::trimmed_message(libpq().PQresultErrorMessage(result.result)) +
                       " (in: " + text.substr(0, 200) + ")");
  }
  std::vector<TextRow> rows;
  const int tuples = libpq().PQntuples(result.result);
  const int fields = libpq().PQnfields(result.result);
  rows.reserve(static_cast<std::size_t>(tuples));
  for (int r = 0; r < tuples; ++r) {
    TextRow row;
    row.reserve(static_cast<std::size_t>(fields));
    for (int f = 0; f < fields; ++f) {
      if (libpq().PQgetisnull(result.result, r, f) != 0) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(libpq().PQgetvalue(result.result, r, f),
                                     static_cast<std::size_t>(libpq().PQgetlength(result.result, r, f))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void PgClient::execute(std::string_view script) {
  const std::string text(script);
  ResultGuard result{libpq().PQexec(conn_, text.c_str())};
  const ExecStatusType status = libpq().PQresultStatus(result.result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw MigrateError("PostgreSQL at " + label_ + ": " +
                       postgres::trimmed_message(libpq().PQresultErrorMessage(result.result)));
  }
}

}  // namespace ranvier::storage::migrate
