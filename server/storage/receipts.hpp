#pragma once
// Read receipts (client-server API, "Receipts"): per room, user, receipt type and thread, the
// event a user has read up to. Each change takes a position in the receipt stream, which /sync
// uses to send only what changed.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

struct Receipt {
  std::string room_id;
  std::string user_id;
  /// m.read or m.read.private.
  std::string receipt_type;
  /// "" for an unthreaded receipt, "main" or a thread root's event ID otherwise.
  std::string thread_id;
  std::string event_id;
  /// Milliseconds since the epoch.
  std::int64_t ts = 0;
  std::int64_t stream = 0;

  bool operator==(const Receipt&) const = default;
};

class ReceiptReads {
 public:
  virtual ~ReceiptReads() = default;
  /// Receipts in these rooms whose stream position is above `after`, by stream position.
  virtual std::vector<Receipt> changed_since(std::span<const std::string> room_ids, std::int64_t after) = 0;
  /// The highest receipt stream position (0 before the first receipt).
  virtual std::int64_t max_stream() = 0;
};

class ReceiptStore : public ReceiptReads {
 public:
  /// Sets (or moves) a receipt; it takes a new stream position (`stream` is ignored).
  virtual void put(const Receipt& receipt) = 0;
};

}  // namespace ranvier::storage
