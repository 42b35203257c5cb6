#include "storage/sql/session.hpp"

#include "storage/errors.hpp"

#include <charconv>

namespace ranvier::storage::sql {
namespace {

[[noreturn]] void bad_cell(std::string_view what) {
  throw StorageError(ErrorKind::query_failed,
                     "unexpected value in database result: " + std::string(what));
}

}  // namespace

std::string_view first_line(std::string_view sql) {
  std::size_t start = sql.find_first_not_of(" \n\t");
  if (start == std::string_view::npos) {
    return {};
  }
  sql.remove_prefix(start);
  return sql.substr(0, sql.find('\n'));
}

std::int64_t Cell::as_int() const {
  if (const auto* number = std::get_if<std::int64_t>(&value_)) {
    return *number;
  }
  if (const auto* text = std::get_if<std::string>(&value_)) {
    std::int64_t number = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), number);
    if (error != std::errc{} || end != text->data() + text->size()) {
      bad_cell("expected an integer, got '" + *text + "'");
    }
    return number;
  }
  bad_cell("expected an integer, got NULL");
}

bool Cell::as_bool() const {
  if (const auto* text = std::get_if<std::string>(&value_)) {
    if (*text == "t" || *text == "true") {
      return true;
    }
    if (*text == "f" || *text == "false") {
      return false;
    }
  }
  return as_int() != 0;
}

std::string Cell::as_text() const {
  if (const auto* text = std::get_if<std::string>(&value_)) {
    return *text;
  }
  if (const auto* number = std::get_if<std::int64_t>(&value_)) {
    return std::to_string(*number);
  }
  bad_cell("expected text, got NULL");
}

std::optional<std::int64_t> Cell::as_optional_int() const {
  if (is_null()) {
    return std::nullopt;
  }
  return as_int();
}

std::optional<std::string> Cell::as_optional_text() const {
  if (is_null()) {
    return std::nullopt;
  }
  return as_text();
}

}  // namespace ranvier::storage::sql
