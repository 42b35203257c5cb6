#pragma once
// Session over one libpq connection. Statements are prepared once per connection (named by
// the address of their static text) and then executed with text parameters.

#include "storage/sql/session.hpp"

#include <string>
#include <unordered_map>

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
  using sql::Session::query;

  std::vector<sql::Row> query(sql::StaticSql sql, std::span<const sql::Param> params) override;
  std::int64_t execute(sql::StaticSql sql, std::span<const sql::Param> params) override;
  void execute_script(std::string_view script) override;
  void end_read_only(std::string_view commit) override;
  bool healthy() const override;

 private:
  // Runs a prepared statement; the result is checked and owned by the caller.
  pg_result* run(sql::StaticSql sql, std::span<const sql::Param> params);
  // Throws for a failed result (which it frees); returns it otherwise.
  pg_result* checked(pg_result* result, std::string_view doing);

  pg_conn* conn_;
  std::string label_;
  // Collects the reply to a COMMIT sent by end_read_only, before anything else is sent.
  void collect_pending();

  bool broken_ = false;
  bool reply_pending_ = false;
  std::unordered_map<const char*, std::string> statement_names_;
};

}  // namespace ranvier::storage::postgres
