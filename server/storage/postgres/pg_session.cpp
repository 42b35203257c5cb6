#include "storage/postgres/pg_session.hpp"
#include "storage/postgres/libpq.hpp"

#include "storage/errors.hpp"


#include <charconv>
#include <memory>
#include <optional>

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

bool PgSession::healthy() const {
  if (broken_ || libpq().PQstatus(conn_) != CONNECTION_OK) {
    return false;
  }
  // Between transactions a connection must be idle (or have only its read-only COMMIT's reply
  // to collect): one left inside a transaction, failed or not, would poison every later user.
  const PGTransactionStatusType status = libpq().PQtransactionStatus(conn_);
  return status == PQTRANS_IDLE || (reply_pending_ && status == PQTRANS_ACTIVE);
}

StorageError PgSession::failure(PGresult* result, std::string_view doing) {
  const char* state = result != nullptr ? libpq().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  ErrorKind kind = state != nullptr ? kind_of(state) : ErrorKind::connection_lost;
  if (libpq().PQstatus(conn_) != CONNECTION_OK) {
    kind = ErrorKind::connection_lost;
  }
  if (kind == ErrorKind::connection_lost) {
    broken_ = true;
  }
  std::string message = result != nullptr ? trimmed_message(libpq().PQresultErrorMessage(result))
                                          : trimmed_message(libpq().PQerrorMessage(conn_));
  if (message.empty()) {
    message = trimmed_message(libpq().PQerrorMessage(conn_));
  }
  return StorageError(kind, "PostgreSQL " + label_ + ": " + message + " (while " + std::string(doing) + ")");
}

PGresult* PgSession::checked(PGresult* raw, const InFlight& statement) {
  Result result(raw);
  const ExecStatusType status = result ? libpq().PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return result.release();
  }
  throw failure(result.get(), statement.doing());
}

void PgSession::end_read_only(std::string_view commit) {
  if (pipelined_) {
    execute_script(commit);
    return;
  }
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

namespace {

/// Statement parameters as the NUL-terminated texts libpq wants (it copies them when sending).
class ParamTexts {
 public:
  ParamTexts(std::span<const sql::Param> params, const std::string& label)
      : texts_(params.size()), values_(params.size(), nullptr) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const sql::Param& param = params[i];
      if (std::holds_alternative<std::nullptr_t>(param)) {
        continue;
      }
      if (const auto* flag = std::get_if<bool>(&param)) {
        texts_[i] = *flag ? "t" : "f";
      } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
        texts_[i] = std::to_string(*number);
      } else {
        std::string_view text = std::get<std::string_view>(param);
        if (text.find('\0') != std::string_view::npos) {
          throw StorageError(ErrorKind::query_failed, "PostgreSQL " + label + ": text parameters cannot contain NUL");
        }
        texts_[i] = std::string(text);
      }
      values_[i] = texts_[i].c_str();
    }
  }
  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }

 private:
  std::vector<std::string> texts_;
  std::vector<const char*> values_;
};

}  // namespace

std::string PgSession::InFlight::doing() const {
  return (prepare ? "preparing: " : "running: ") + std::string(sql::first_line(text));
}

const std::string& PgSession::prepared_name(sql::StaticSql sql) {
  auto found = statement_names_.find(sql.text());
  if (found != statement_names_.end()) {
    return found->second;
  }
  std::string name = "ranvier_" + std::to_string(statement_names_.size());
  const InFlight preparing{sql.text(), true};
  if (pipelined_) {
    if (libpq().PQsendPrepare(conn_, name.c_str(), sql.text(), 0, nullptr) == 0) {
      throw failure(nullptr, preparing.doing());
    }
    in_flight_.push_back(preparing);
  } else {
    Result prepared(checked(libpq().PQprepare(conn_, name.c_str(), sql.text(), 0, nullptr), preparing));
  }
  return statement_names_.emplace(sql.text(), std::move(name)).first->second;
}

void PgSession::send_pipelined(sql::StaticSql sql, std::span<const sql::Param> params) {
  const ParamTexts texts(params, label_);
  if (!pipelined_) {
    collect_pending();
    if (libpq().PQenterPipelineMode(conn_) == 0) {
      throw failure(nullptr, "entering pipeline mode");
    }
    pipelined_ = true;
  }
  const std::string& name = prepared_name(sql);
  if (libpq().PQsendQueryPrepared(conn_, name.c_str(), texts.count(), texts.values(), nullptr, nullptr, 0) == 0) {
    throw failure(nullptr, InFlight{sql.text()}.doing());
  }
  in_flight_.push_back({sql.text()});
}

PGresult* PgSession::finish_pipeline(bool keep_last) {
  pipelined_ = false;
  std::vector<InFlight> sent;
  sent.swap(in_flight_);
  if (libpq().PQpipelineSync(conn_) == 0) {
    broken_ = true;
    throw failure(nullptr, "syncing the pipeline");
  }
  std::optional<StorageError> first_failure;
  Result last;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    Result result(libpq().PQgetResult(conn_));
    if (!result) {
      // The connection broke: nothing more will come.
      broken_ = true;
      throw failure(nullptr, sent[i].doing());
    }
    // Each statement's replies end with a null result.
    while (PGresult* extra = libpq().PQgetResult(conn_)) {
      libpq().PQclear(extra);
    }
    const ExecStatusType status = libpq().PQresultStatus(result.get());
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok && sent[i].prepare) {
      statement_names_.erase(sent[i].text);
    }
    // After a failure PostgreSQL skips the rest (PGRES_PIPELINE_ABORTED): the first failure
    // is the one to report.
    if (!ok && status != PGRES_PIPELINE_ABORTED && !first_failure) {
      first_failure.emplace(failure(result.get(), sent[i].doing()));
    }
    if (i + 1 == sent.size() && keep_last) {
      last = std::move(result);
    }
  }
  Result sync(libpq().PQgetResult(conn_));
  if (!sync || libpq().PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC || libpq().PQexitPipelineMode(conn_) == 0) {
    broken_ = true;
    throw first_failure ? *first_failure : failure(sync.get(), "syncing the pipeline");
  }
  if (first_failure) {
    throw *first_failure;
  }
  return last.release();
}

void PgSession::execute_later(sql::StaticSql sql, std::span<const sql::Param> params) { send_pipelined(sql, params); }

PGresult* PgSession::run(sql::StaticSql sql, std::span<const sql::Param> params) {
  if (pipelined_) {
    // The statement joins the writes queued before it: one round trip for all of them.
    send_pipelined(sql, params);
    return finish_pipeline(true);
  }
  collect_pending();
  const std::string& name = prepared_name(sql);
  const ParamTexts texts(params, label_);
  return checked(libpq().PQexecPrepared(conn_, name.c_str(), texts.count(), texts.values(), nullptr, nullptr, 0),
                 InFlight{sql.text()});
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
  const std::string text(script);
  if (pipelined_ && text == "COMMIT") {
    // The commit joins the queued writes: one round trip for all of them.
    if (libpq().PQsendQueryParams(conn_, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 0) {
      throw failure(nullptr, "running: COMMIT");
    }
    in_flight_.push_back({"COMMIT"});
    finish_pipeline(false);
    return;
  }
  if (pipelined_) {
    // Anything else waits for the queued writes' replies first. Never a ROLLBACK inside the
    // pipeline: after a failed write PostgreSQL skips the rest of it, so the ROLLBACK would not
    // run and the connection would stay in the failed transaction. A failure of the queued
    // writes is what a ROLLBACK is rolling back, so it does not stop one.
    const bool rollback = text == "ROLLBACK";
    try {
      finish_pipeline(false);
    } catch (const StorageError&) {
      if (!rollback || broken_) {
        throw;
      }
    }
  }
  collect_pending();
  Result result(
      checked(libpq().PQexec(conn_, text.c_str()), InFlight{text.c_str()}));
}

}  // namespace ranvier::storage::postgres
