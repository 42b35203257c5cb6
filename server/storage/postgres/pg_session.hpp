#pragma once
// Session over one libpq connection. Statements are prepared once per connection (named by
// the address of their static text) and then executed with text parameters.
//
// Writes handed to execute_later go out in libpq's pipeline mode without waiting: the
// session's next statement (or the COMMIT) joins the same pipeline and one sync collects every
// reply. A send into a room thus pays one round trip for its eight-odd row writes and the
// commit instead of one each (0.15-0.2 ms apiece on loopback).

#include "storage/errors.hpp"
#include "storage/sql/session.hpp"

#include <string>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace ranvier::storage::postgres {

/// A libpq message without its trailing newline (null-safe).
std::string trimmed_message(const char* message);

class PgSession final : public sql::Session {
 public:
  /// Takes ownership of a connected PGconn; `label` (the redacted URL) names it in messages.
  PgSession(pg_conn* conn, std::string label);
  ~PgSession() override;
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;
  using sql::Session::execute;
  using sql::Session::execute_later;
  using sql::Session::query;

  std::vector<sql::Row> query(sql::StaticSql sql, std::span<const sql::Param> params) override;
  std::int64_t execute(sql::StaticSql sql, std::span<const sql::Param> params) override;
  void execute_later(sql::StaticSql sql, std::span<const sql::Param> params) override;
  void execute_script(std::string_view script) override;
  void end_read_only(std::string_view commit) override;
  bool healthy() const override;

 private:
  // Runs a prepared statement; the result is checked and owned by the caller.
  pg_result* run(sql::StaticSql sql, std::span<const sql::Param> params);
  /// A statement sent whose reply is still to be read (in the pipeline), or being checked.
  struct InFlight {
    /// The statement's text (COMMIT's literal for the commit).
    const char* text;
    /// A PREPARE of `text`, whose name is forgotten again if it does not run.
    bool prepare = false;
    /// What it was doing, for an error message (built only on failure).
    std::string doing() const;
  };

  // Throws for a failed result (which it frees); returns it otherwise.
  pg_result* checked(pg_result* result, const InFlight& statement);
  // The error a failed result (or none) stands for; marks the session broken when the
  // connection is gone.
  StorageError failure(pg_result* result, std::string_view doing);
  // The name `sql` is prepared under, preparing it first if needed (inside the pipeline when
  // one is open).
  const std::string& prepared_name(sql::StaticSql sql);
  // Sends a prepared statement into the open pipeline (opening it first).
  void send_pipelined(sql::StaticSql sql, std::span<const sql::Param> params);
  // Syncs the open pipeline and reads every reply; throws the first failure. Returns the last
  // statement's result when `keep_last` (owned by the caller), else nullptr.
  pg_result* finish_pipeline(bool keep_last);


  pg_conn* conn_;
  std::string label_;
  // Collects the reply to a COMMIT sent by end_read_only, before anything else is sent.
  void collect_pending();

  bool broken_ = false;
  bool reply_pending_ = false;
  bool pipelined_ = false;
  std::vector<InFlight> in_flight_;
  std::unordered_map<const char*, std::string> statement_names_;
};

}  // namespace ranvier::storage::postgres
