#include "storage/postgres/pg_session.hpp"
#include "storage/postgres/libpq.hpp"

#include "storage/errors.hpp"


#include <charconv>
#include <memory>

namespace ranvier::storage::postgres {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { libpq().PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// SQLSTATE classes: 23 integrity constraint violation, 40 transaction rollback (serialization
// failure, deadlock), 55P03 lock not available, 08 connection exception, 57P01-57P03 server
// shutting down or unavailable.
ErrorKind kind_of(std::string_view sqlstate) {
  if (sqlstate.starts_with("23")) {
    return ErrorKind::constraint;
  }
  if (sqlstate.starts_with("40") || sqlstate == "55P03") {
    return ErrorKind::busy;
  }
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
    return ErrorKind::connection_lost;
  }
  return ErrorKind::query_failed;
}

}  // namespace

std::string trimmed_message(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

PgSession::PgSession(PGconn* conn, std::string label) : conn_(conn), label_(std::move(label)) {}

PgSession::~PgSession() { libpq().PQfinish(conn_); }

bool PgSession::healthy() const { return !broken_ && libpq().PQstatus(conn_) == CONNECTION_OK; }

PGresult* PgSession::checked(PGresult* raw, std::string_view doing) {
  Result result(raw);
  const ExecStatusType status = result ? libpq().PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return result.release();
  }
  const char* state = result ? libpq().PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  ErrorKind kind = state != nullptr ? kind_of(state) : ErrorKind::connection_lost;
  if (libpq().PQstatus(conn_) != CONNECTION_OK) {
    kind = ErrorKind::connection_lost;
  }
  if (kind == ErrorKind::connection_lost) {
    broken_ = true;
  }
  std::string message = result ? trimmed_message(libpq().PQresultErrorMessage(result.get()))
                               : trimmed_message(libpq().PQerrorMessage(conn_));
  if (message.empty()) {
    message = trimmed_message(libpq().PQerrorMessage(conn_));
  }
  throw StorageError(
      kind, "PostgreSQL " + label_ + ": " + message + " (while " + std::string(doing) + ")");
}

void PgSession::end_read_only(std::string_view commit) {
  const std::string text(commit);
  if (libpq().PQsendQuery(conn_, text.c_str()) == 0) {
    broken_ = true;
    return;
  }
  reply_pending_ = true;
}

void PgSession::collect_pending() {
  if (!reply_pending_) {
    return;
  }
  reply_pending_ = false;
  // A failed read-only COMMIT loses nothing; a broken connection shows in PQstatus and the
  // next statement reports it.
  while (PGresult* result = libpq().PQgetResult(conn_)) {
    libpq().PQclear(result);
  }
}

PGresult* PgSession::run(sql::StaticSql sql, std::span<const sql::Param> params) {
  collect_pending();
  auto found = statement_names_.find(sql.text());
  if (found == statement_names_.end()) {
    std::string name = "ranvier_" + std::to_string(statement_names_.size());
    Result prepared(checked(libpq().PQprepare(conn_, name.c_str(), sql.text(), 0, nullptr),
                            "preparing: " + std::string(sql::first_line(sql.text()))));
    found = statement_names_.emplace(sql.text(), std::move(name)).first;
  }
  // Text-format parameters: libpq wants NUL-terminated strings, so each value is copied.
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const sql::Param& param = params[i];
    if (std::holds_alternative<std::nullptr_t>(param)) {
      continue;
    }
    if (const auto* flag = std::get_if<bool>(&param)) {
      texts[i] = *flag ? "t" : "f";
    } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
      texts[i] = std::to_string(*number);
    } else {
      std::string_view text = std::get<std::string_view>(param);
      if (text.find('\0') != std::string_view::npos) {
        throw StorageError(ErrorKind::query_failed,
                           "PostgreSQL " + label_ + ": text parameters cannot contain NUL");
      }
      texts[i] = std::string(text);
    }
    values[i] = texts[i].c_str();
  }
  return checked(libpq().PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(params.size()),
                                values.data(), nullptr, nullptr, 0),
                 "running: " + std::string(sql::first_line(sql.text())));
}

std::vector<sql::Row> PgSession::query(sql::StaticSql sql, std::span<const sql::Param> params) {
  Result result(run(sql, params));
  const int rows = libpq().PQntuples(result.get());
  const int columns = libpq().PQnfields(result.get());
  std::vector<sql::Row> out(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    sql::Row& row = out[static_cast<std::size_t>(r)];
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (libpq().PQgetisnull(result.get(), r, c)) {
        row.emplace_back();
      } else {
        row.emplace_back(std::string(libpq().PQgetvalue(result.get(), r, c),
                                     static_cast<std::size_t>(libpq().PQgetlength(result.get(), r, c))));
      }
    }
  }
  return out;
}

std::int64_t PgSession::execute(sql::StaticSql sql, std::span<const sql::Param> params) {
  Result result(run(sql, params));
  std::string_view affected = libpq().PQcmdTuples(result.get());
  std::int64_t count = 0;
  std::from_chars(affected.data(), affected.data() + affected.size(), count);
  return count;
}

void PgSession::execute_script(std::string_view script) {
  collect_pending();
  const std::string text(script);
  Result result(
      checked(libpq().PQexec(conn_, text.c_str()), "running: " + std::string(sql::first_line(script))));
}

}  // namespace ranvier::storage::postgres
