#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {

std::optional<std::string> SqlProfileStore::get(std::string_view user_id) {
  auto rows = session_.query(sql_.select_one, {user_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

void SqlProfileStore::put(std::string_view user_id, std::string_view profile_json) {
  session_.execute(sql_.upsert, {user_id, profile_json});
}

}  // namespace ranvier::storage::sql
