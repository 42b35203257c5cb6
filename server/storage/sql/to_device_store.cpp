#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {

std::vector<ToDeviceMessage> SqlToDeviceStore::pending(std::string_view user_id, std::string_view device_id,
                                                       std::int64_t after, std::size_t limit) {
  std::vector<ToDeviceMessage> messages;
  for (const auto& row : session_.query(sql_.pending, {user_id, device_id, after, limit_param(limit)})) {
    messages.push_back(ToDeviceMessage{.user_id = std::string(user_id),
                                       .device_id = std::string(device_id),
                                       .sender = row.at(0).as_text(),
                                       .type = row.at(1).as_text(),
                                       .content = row.at(2).as_text(),
                                       .stream = row.at(3).as_int()});
  }
  return messages;
}

std::int64_t SqlToDeviceStore::max_stream() { return session_.query(sql_.max_stream, {}).front().at(0).as_int(); }

void SqlToDeviceStore::enqueue(const ToDeviceMessage& message) {
  session_.execute(sql_.insert, {std::string_view(message.user_id), std::string_view(message.device_id),
                                 std::string_view(message.sender), std::string_view(message.type),
                                 std::string_view(message.content)});
}

std::int64_t SqlToDeviceStore::acknowledge(std::string_view user_id, std::string_view device_id, std::int64_t up_to) {
  return session_.execute(sql_.acknowledge, {user_id, device_id, up_to});
}

}  // namespace ranvier::storage::sql
