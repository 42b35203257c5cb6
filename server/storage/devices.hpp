#pragma once
// Devices of local users (each login creates or reuses one).

#include "storage/accounts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// One device of a local user.
struct Device {
  std::string user_id;
  std::string device_id;
  std::optional<std::string> display_name{};
  /// Milliseconds since the Unix epoch.
  std::int64_t created_ts = 0;
  std::optional<std::int64_t> last_seen_ts{};
  std::optional<std::string> last_seen_ip{};
  /// The User-Agent of the last recorded request; nullopt until a request is recorded (a login
  /// records only time and address), "" when it sent none.
  std::optional<std::string> last_seen_user_agent{};

  bool operator==(const Device&) const = default;
};

/// Device queries available in any transaction.
class DeviceReads {
 public:
  virtual ~DeviceReads() = default;

  /// One device of a user.
  virtual std::optional<Device> get(std::string_view user_id, std::string_view device_id) = 0;

  /// All devices of a user, ordered by device ID.
  virtual std::vector<Device> list(std::string_view user_id) = 0;
};

/// Device changes, available in write transactions.
class DeviceStore : public DeviceReads {
 public:
  /// Inserts a device; `exists` (and no change) if the user already has this device ID.
  /// The account must exist (ErrorKind::constraint otherwise).
  virtual CreateResult create(const Device& device) = 0;

  /// Renames a device (nullopt clears the name); false if there is no such device.
  virtual bool set_display_name(std::string_view user_id, std::string_view device_id,
                                const std::optional<std::string>& display_name) = 0;

  /// Records that the device was used; false if there is no such device.
  virtual bool touch(std::string_view user_id, std::string_view device_id, std::int64_t seen_ts,
                     const std::optional<std::string>& ip) = 0;

  /// Records an authenticated request of the device: time, address and user agent ("" for
  /// none), for GET /admin/whois. False if there is no such device.
  virtual bool record_request(std::string_view user_id, std::string_view device_id, std::int64_t seen_ts,
                              const std::string& ip, const std::string& user_agent) = 0;

  /// Deletes a device and every access token issued to it; false if there was none.
  virtual bool remove(std::string_view user_id, std::string_view device_id) = 0;

  /// Deletes all devices (and so all tokens) of a user; returns how many there were.
  virtual std::int64_t remove_all(std::string_view user_id) = 0;
};

}  // namespace ranvier::storage
