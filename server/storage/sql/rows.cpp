#include <algorithm>
#include <limits>

#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {

std::int64_t limit_param(std::size_t limit) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

std::vector<std::string> text_column(const std::vector<Row>& rows) {
  std::vector<std::string> values;
  values.reserve(rows.size());
  for (const Row& row : rows) {
    values.push_back(row.at(0).as_text());
  }
  return values;
}

StateMap state_map_from(const std::vector<Row>& rows) {
  StateMap state;
  for (const Row& row : rows) {
    state.emplace(StateKey{row.at(0).as_text(), row.at(1).as_text()}, row.at(2).as_text());
  }
  return state;
}

}  // namespace ranvier::storage::sql
