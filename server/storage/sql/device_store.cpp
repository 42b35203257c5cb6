#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

Device device_from(const Row& row) {
  return Device{
      .user_id = row.at(0).as_text(),
      .device_id = row.at(1).as_text(),
      .display_name = row.at(2).as_optional_text(),
      .created_ts = row.at(3).as_int(),
      .last_seen_ts = row.at(4).as_optional_int(),
      .last_seen_ip = row.at(5).as_optional_text(),
      .last_seen_user_agent = row.at(6).as_optional_text(),
  };
}

}  // namespace

std::optional<Device> SqlDeviceStore::get(std::string_view user_id, std::string_view device_id) {
  auto rows = session_.query(sql_.select_one, {user_id, device_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return device_from(rows.front());
}

std::vector<Device> SqlDeviceStore::list(std::string_view user_id) {
  auto rows = session_.query(sql_.list_for_user, {user_id});
  std::vector<Device> devices;
  devices.reserve(rows.size());
  for (const Row& row : rows) {
    devices.push_back(device_from(row));
  }
  return devices;
}

CreateResult SqlDeviceStore::create(const Device& device) {
  std::int64_t inserted = session_.execute(
      sql_.insert, {std::string_view(device.user_id), std::string_view(device.device_id),
                    nullable(device.display_name), device.created_ts, nullable(device.last_seen_ts),
                    nullable(device.last_seen_ip)});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

bool SqlDeviceStore::set_display_name(std::string_view user_id, std::string_view device_id,
                                      const std::optional<std::string>& display_name) {
  return session_.execute(sql_.set_display_name, {user_id, device_id, nullable(display_name)}) > 0;
}

bool SqlDeviceStore::touch(std::string_view user_id, std::string_view device_id,
                           std::int64_t seen_ts, const std::optional<std::string>& ip) {
  return session_.execute(sql_.touch, {user_id, device_id, seen_ts, nullable(ip)}) > 0;
}

bool SqlDeviceStore::record_request(std::string_view user_id, std::string_view device_id, std::int64_t seen_ts,
                                    const std::string& ip, const std::string& user_agent) {
  return session_.execute(sql_.record_request,
                          {user_id, device_id, seen_ts, std::string_view(ip), std::string_view(user_agent)}) > 0;
}

bool SqlDeviceStore::remove(std::string_view user_id, std::string_view device_id) {
  // The device's keys go with it (ON DELETE CASCADE); other users' clients learn of it through
  // the device-list stream.
  if (session_.execute(sql_.remove, {user_id, device_id}) == 0) {
    return false;
  }
  session_.query(e2e_.list_mark, {user_id});
  return true;
}

std::int64_t SqlDeviceStore::remove_all(std::string_view user_id) {
  const auto removed = session_.execute(sql_.remove_all, {user_id});
  if (removed > 0) {
    session_.query(e2e_.list_mark, {user_id});
  }
  return removed;
}

}  // namespace ranvier::storage::sql
