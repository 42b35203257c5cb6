#pragma once
// What the shared store logic needs from a database connection: run a statement with
// parameters and read rows back. Each backend implements it over its own client library;
// the SQL text comes from the backend too (see queries.hpp).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ranvier::storage::sql {

/// SQL text with static storage duration. Backends cache prepared statements by its address,
/// so only string literals are accepted (the constructor is consteval).
class StaticSql {
 public:
  consteval StaticSql(const char* text) : text_(text) {}  // NOLINT(google-explicit-constructor)
  const char* text() const { return text_; }

 private:
  const char* text_;
};

/// A statement parameter. Strings are borrowed for the duration of the call.
using Param = std::variant<std::nullptr_t, std::int64_t, bool, std::string_view>;

/// A parameter from an optional string: NULL when empty.
inline Param nullable(const std::optional<std::string>& value) {
  return value ? Param(std::string_view(*value)) : Param(nullptr);
}

/// A parameter from an optional integer: NULL when empty.
inline Param nullable(const std::optional<std::int64_t>& value) {
  return value ? Param(*value) : Param(nullptr);
}

/// The first non-blank line of a statement, to name it in error messages.
std::string_view first_line(std::string_view sql);

/// One result value. SQLite hands back integers, PostgreSQL (text protocol) hands back text;
/// the accessors accept both so store code does not care which.
class Cell {
 public:
  Cell() = default;
  explicit Cell(std::int64_t value) : value_(value) {}
  explicit Cell(std::string value) : value_(std::move(value)) {}

  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
  /// Throws StorageError(query_failed) for NULL or a non-number.
  std::int64_t as_int() const;
  /// Accepts integers (0/1) and PostgreSQL's t/f.
  bool as_bool() const;
  /// Throws StorageError(query_failed) for NULL.
  std::string as_text() const;
  std::optional<std::int64_t> as_optional_int() const;
  std::optional<std::string> as_optional_text() const;

 private:
  std::variant<std::monostate, std::int64_t, std::string> value_;
};

/// One result row, cells in SELECT order.
using Row = std::vector<Cell>;

/// One connection, used by one thread at a time (the pool guarantees that).
class Session {
 public:
  virtual ~Session() = default;

  /// Runs a statement and returns all its rows.
  virtual std::vector<Row> query(StaticSql sql, std::span<const Param> params) = 0;

  /// Runs a statement and returns how many rows it changed.
  virtual std::int64_t execute(StaticSql sql, std::span<const Param> params) = 0;

  /// Runs a write whose outcome the caller does not read (no rows, no count) and whose
  /// failure dooms the whole transaction anyway. A backend may send it without waiting for the
  /// reply: PostgreSQL queues such writes in libpq's pipeline and collects their replies with
  /// the session's next statement or the commit, one round trip for all of them. Its error, if
  /// any, is then thrown from that later call (naming this statement), so never use it where
  /// the caller would catch and handle the error (a unique violation meaning "exists", say).
  virtual void execute_later(StaticSql sql, std::span<const Param> params) { execute(sql, params); }

  /// Runs SQL text without parameters; it may hold several statements (migrations, BEGIN).
  virtual void execute_script(std::string_view script) = 0;

  /// Ends a read-only transaction with `commit`. Nothing was written, so nobody needs its
  /// outcome: a backend may send it without waiting for the reply and collect that reply
  /// before the session's next statement (PostgreSQL saves a round trip per read this way).
  virtual void end_read_only(std::string_view commit) { execute_script(commit); }

  /// False once the connection broke; the pool then closes it instead of reusing it.
  virtual bool healthy() const = 0;

  std::vector<Row> query(StaticSql sql, std::initializer_list<Param> params) {
    return query(sql, std::span<const Param>(params.begin(), params.size()));
  }
  std::int64_t execute(StaticSql sql, std::initializer_list<Param> params) {
    return execute(sql, std::span<const Param>(params.begin(), params.size()));
  }
  void execute_later(StaticSql sql, std::initializer_list<Param> params) {
    execute_later(sql, std::span<const Param>(params.begin(), params.size()));
  }
};

}  // namespace ranvier::storage::sql
