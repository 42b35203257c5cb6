#include "storage/sqlite/sqlite_session.hpp"

#include "storage/errors.hpp"

#include <sqlite3.h>

namespace ranvier::storage::sqlite {
namespace {

// Resets the statement however the step loop ends, so its read lock is released.
struct ResetOnExit {
  sqlite3_stmt* statement;
  ~ResetOnExit() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

}  // namespace

SqliteSession::SqliteSession(sqlite3* db, std::string label) : db_(db), label_(std::move(label)) {}

SqliteSession::~SqliteSession() {
  for (auto& [text, statement] : statements_) {
    sqlite3_finalize(statement);
  }
  for (auto& [text, statement] : scripts_) {
    sqlite3_finalize(statement);
  }
  sqlite3_close_v2(db_);
}

void SqliteSession::fail(int code, std::string_view doing) const {
  const int primary = code & 0xff;
  ErrorKind kind = ErrorKind::query_failed;
  if (primary == SQLITE_CONSTRAINT) {
    kind = ErrorKind::constraint;
  } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    kind = ErrorKind::busy;
  } else if (primary == SQLITE_CANTOPEN || primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    kind = ErrorKind::unavailable;
  }
  throw StorageError(kind, "SQLite " + label_ + ": " + sqlite3_errmsg(db_) + " (while " +
                               std::string(doing) + ")");
}

sqlite3_stmt* SqliteSession::prepared(sql::StaticSql sql, std::span<const sql::Param> params) {
  auto found = statements_.find(sql.text());
  sqlite3_stmt* statement = nullptr;
  if (found != statements_.end()) {
    statement = found->second;
  } else {
    int rc =
        sqlite3_prepare_v3(db_, sql.text(), -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) {
      fail(rc, "preparing: " + std::string(sql::first_line(sql.text())));
    }
    statements_.emplace(sql.text(), statement);
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    int rc = std::visit(
        [&](const auto& value) -> int {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return sqlite3_bind_null(statement, index);
          } else if constexpr (std::is_same_v<T, bool>) {
            return sqlite3_bind_int(statement, index, value ? 1 : 0);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(statement, index, value);
          } else {
            return sqlite3_bind_text64(statement, index, value.data(), value.size(),
                                       SQLITE_TRANSIENT, SQLITE_UTF8);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) {
      sqlite3_clear_bindings(statement);
      fail(rc, "binding parameter " + std::to_string(index));
    }
  }
  return statement;
}

std::vector<sql::Row> SqliteSession::query(sql::StaticSql sql, std::span<const sql::Param> params) {
  sqlite3_stmt* statement = prepared(sql, params);
  ResetOnExit reset{statement};
  std::vector<sql::Row> rows;
  const int columns = sqlite3_column_count(statement);
  for (;;) {
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) {
      return rows;
    }
    if (rc != SQLITE_ROW) {
      fail(rc, "running: " + std::string(sql::first_line(sql.text())));
    }
    sql::Row& row = rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(statement, c)) {
        case SQLITE_NULL:
          row.emplace_back();
          break;
        case SQLITE_INTEGER:
        case SQLITE_FLOAT:
          row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(statement, c)));
          break;
        default: {
          const auto* text = sqlite3_column_text(statement, c);
          const int size = sqlite3_column_bytes(statement, c);
          row.emplace_back(
              std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)));
          break;
        }
      }
    }
  }
}

std::int64_t SqliteSession::execute(sql::StaticSql sql, std::span<const sql::Param> params) {
  sqlite3_stmt* statement = prepared(sql, params);
  ResetOnExit reset{statement};
  int rc = 0;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    fail(rc, "running: " + std::string(sql::first_line(sql.text())));
  }
  return sqlite3_changes64(db_);
}

void SqliteSession::execute_script(std::string_view script) {
  const std::string text(script);
  // Every transaction starts and ends with one of a handful of short statements (BEGIN
  // DEFERRED, BEGIN IMMEDIATE, COMMIT, ROLLBACK); those are kept prepared instead of parsed
  // again by sqlite3_exec each time. Longer scripts (migrations) run as they are.
  constexpr std::size_t kept_up_to = 32;
  if (text.size() > kept_up_to || text.find(';') != std::string::npos) {
    if (const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK) {
      fail(rc, "running: " + std::string(sql::first_line(script)));
    }
    return;
  }
  auto found = scripts_.find(text);
  if (found == scripts_.end()) {
    sqlite3_stmt* statement = nullptr;
    if (const int rc = sqlite3_prepare_v3(db_, text.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
        rc != SQLITE_OK) {
      fail(rc, "preparing: " + text);
    }
    found = scripts_.emplace(text, statement).first;
  }
  sqlite3_stmt* statement = found->second;
  if (statement == nullptr) {
    return;  // only whitespace or a comment: nothing to run
  }
  ResetOnExit reset{statement};
  int rc = 0;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    fail(rc, "running: " + text);
  }
}

}  // namespace ranvier::storage::sqlite
