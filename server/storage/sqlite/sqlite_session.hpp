#pragma once
// Session over one sqlite3 connection, with a prepared-statement cache.

#include "storage/sql/session.hpp"

#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace ranvier::storage::sqlite {

class SqliteSession final : public sql::Session {
 public:
  /// Takes ownership of an open connection; `label` names the file in error messages.
  SqliteSession(sqlite3* db, std::string label);
  ~SqliteSession() override;
  using sql::Session::execute;
  using sql::Session::query;
  SqliteSession(const SqliteSession&) = delete;
  SqliteSession& operator=(const SqliteSession&) = delete;

  std::vector<sql::Row> query(sql::StaticSql sql, std::span<const sql::Param> params) override;
  std::int64_t execute(sql::StaticSql sql, std::span<const sql::Param> params) override;
  void execute_script(std::string_view script) override;
  bool healthy() const override { return true; }

 private:
  sqlite3_stmt* prepared(sql::StaticSql sql, std::span<const sql::Param> params);
  [[noreturn]] void fail(int code, std::string_view doing) const;

  sqlite3* db_;
  std::string label_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
  // Short one-statement scripts (BEGIN, COMMIT, ...) by their text.
  std::unordered_map<std::string, sqlite3_stmt*> scripts_;
};

}  // namespace ranvier::storage::sqlite
