#pragma once
// Sets of values passed to SQL as one parameter: a JSON array text. Both engines open it in
// SQL (json_each / jsonb_array_elements), so a statement stays prepared whatever the set size.

#include "storage/state.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace ranvier::storage::sql {

/// `["a","b"]`, strings escaped as JSON requires.
std::string json_array(std::span<const std::string> values);

/// `[1,2]`.
std::string json_array(std::span<const std::int64_t> values);

/// `[["m.room.member","@a:x"],...]`.
std::string json_array(std::span<const StateKey> keys);

/// `[[1,2],[3,null]]`: pairs whose second member may be missing.
std::string json_array(std::span<const std::pair<std::int64_t, std::optional<std::int64_t>>> pairs);

/// Rows for a multi-row statement, as one parameter: `[["a",1,null,true],...]`. The engines
/// open it row by row (json_each / jsonb_array_elements) and take the fields by position.
class JsonRows {
 public:
  /// Starts the next row.
  JsonRows& row();
  JsonRows& add(std::string_view value);
  JsonRows& add(const std::string& value) { return add(std::string_view(value)); }
  /// Without it, a string literal would choose the bool overload.
  JsonRows& add(const char* value) { return add(std::string_view(value)); }
  JsonRows& add(const std::optional<std::string>& value);
  JsonRows& add(std::int64_t value);
  JsonRows& add(bool value);

  bool empty() const { return rows_ == 0; }
  /// The array text; the builder is spent.
  std::string take();

 private:
  void field();

  std::string text_ = "[";
  std::size_t rows_ = 0;
  bool row_open_ = false;
  bool row_empty_ = true;
};

}  // namespace ranvier::storage::sql
