#include "storage/sql/json_array.hpp"
#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {

std::vector<Receipt> SqlReceiptStore::changed_since(std::span<const std::string> room_ids, std::int64_t after) {
  std::vector<Receipt> receipts;
  if (room_ids.empty()) {
    return receipts;
  }
  const std::string rooms = json_array(room_ids);
  for (const auto& row : session_.query(sql_.changed_since, {std::string_view(rooms), after})) {
    receipts.push_back(Receipt{.room_id = row.at(0).as_text(),
                               .user_id = row.at(1).as_text(),
                               .receipt_type = row.at(2).as_text(),
                               .thread_id = row.at(3).as_text(),
                               .event_id = row.at(4).as_text(),
                               .ts = row.at(5).as_int(),
                               .stream = row.at(6).as_int()});
  }
  return receipts;
}

std::int64_t SqlReceiptStore::max_stream() { return session_.query(sql_.max_stream, {}).front().at(0).as_int(); }

void SqlReceiptStore::put(const Receipt& receipt) {
  session_.execute(sql_.upsert, {std::string_view(receipt.room_id), std::string_view(receipt.user_id),
                                 std::string_view(receipt.receipt_type), std::string_view(receipt.thread_id),
                                 std::string_view(receipt.event_id), receipt.ts});
}

}  // namespace ranvier::storage::sql
