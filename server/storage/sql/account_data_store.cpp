#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {

std::optional<std::string> SqlAccountDataStore::get(std::string_view user_id, std::string_view room_id,
                                                    std::string_view type) {
  auto rows = session_.query(sql_.select_one, {user_id, room_id, type});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

void SqlAccountDataStore::put(std::string_view user_id, std::string_view room_id, std::string_view type,
                              std::string_view content_json) {
  session_.execute(sql_.upsert, {user_id, room_id, type, content_json});
}

std::optional<std::string> SqlAccountDataStore::filter(std::string_view user_id, std::string_view filter_id) {
  // Filter IDs are decimal; anything else cannot name a stored filter.
  if (filter_id.empty() || filter_id.size() > 18 || filter_id.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  auto rows = session_.query(sql_.select_filter, {user_id, std::stoll(std::string(filter_id))});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

std::string SqlAccountDataStore::create_filter(std::string_view user_id, std::string_view filter_json) {
  auto rows = session_.query(sql_.insert_filter, {user_id, filter_json});
  return std::to_string(rows.front().at(0).as_int());
}

std::vector<AccountDataEntry> SqlAccountDataStore::changed_since(std::string_view user_id, std::int64_t after) {
  std::vector<AccountDataEntry> entries;
  for (const auto& row : session_.query(sql_.changed_since, {user_id, after})) {
    entries.push_back({row.at(0).as_text(), row.at(1).as_text(), row.at(2).as_text(), row.at(3).as_int()});
  }
  return entries;
}

std::int64_t SqlAccountDataStore::max_stream() {
  return session_.query(sql_.max_stream, {}).front().at(0).as_int();
}

}  // namespace ranvier::storage::sql
