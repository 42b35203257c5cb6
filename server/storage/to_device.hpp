#pragma once
// To-device messages (client-server API, "Send-to-Device messaging"): queued per recipient
// device until that device's /sync acknowledges them by coming back with a later token.
// Deleting a device deletes what was waiting for it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

struct ToDeviceMessage {
  std::string user_id;
  std::string device_id;
  std::string sender;
  std::string type;
  /// JSON object text.
  std::string content;
  /// Position in the to-device stream, assigned on insert.
  std::int64_t stream = 0;

  bool operator==(const ToDeviceMessage&) const = default;
};

class ToDeviceReads {
 public:
  virtual ~ToDeviceReads() = default;
  /// Up to `limit` messages for one device with stream position above `after`, oldest first.
  virtual std::vector<ToDeviceMessage> pending(std::string_view user_id, std::string_view device_id,
                                               std::int64_t after, std::size_t limit) = 0;
  /// The highest to-device stream position (0 before the first message).
  virtual std::int64_t max_stream() = 0;
};

class ToDeviceStore : public ToDeviceReads {
 public:
  /// Queues a message for its recipient device (which must exist: ErrorKind::constraint).
  virtual void enqueue(const ToDeviceMessage& message) = 0;
  /// Deletes the device's messages up to and including `up_to`; returns how many.
  virtual std::int64_t acknowledge(std::string_view user_id, std::string_view device_id, std::int64_t up_to) = 0;
};

}  // namespace ranvier::storage
