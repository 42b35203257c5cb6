#pragma once
// Client-owned data kept for a user: account data (global or per room; tags are the room
// account data type `m.tag`) and the filters clients upload for /sync and /messages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// One account data entry with its position in the account data stream.
struct AccountDataEntry {
  /// Empty for global account data.
  std::string room_id;
  std::string type;
  /// JSON object text.
  std::string content;
  std::int64_t stream = 0;

  bool operator==(const AccountDataEntry&) const = default;
};

/// Account data and filter queries available in any transaction.
class AccountDataReads {
 public:
  virtual ~AccountDataReads() = default;
  /// Content (JSON object text) of one account data type; `room_id` empty for global data.
  virtual std::optional<std::string> get(std::string_view user_id, std::string_view room_id,
                                         std::string_view type) = 0;
  /// A filter's JSON text, or nullopt if `user_id` has no filter with that ID.
  virtual std::optional<std::string> filter(std::string_view user_id, std::string_view filter_id) = 0;
  /// The user's entries (global and per room) whose stream position is above `after`, oldest
  /// change first: what an incremental /sync sends.
  virtual std::vector<AccountDataEntry> changed_since(std::string_view user_id, std::int64_t after) = 0;
  /// The highest account data stream position of any user (0 before the first change).
  virtual std::int64_t max_stream() = 0;
};

/// Account data and filter changes, available in write transactions.
class AccountDataStore : public AccountDataReads {
 public:
  /// Sets (or replaces) one account data type. Each change takes a new position in the account
  /// data stream, which /sync will use to send only what changed. The account must exist
  /// (ErrorKind::constraint otherwise).
  virtual void put(std::string_view user_id, std::string_view room_id, std::string_view type,
                   std::string_view content_json) = 0;
  /// Stores a filter and returns its ID (decimal digits, never starting with `{`).
  virtual std::string create_filter(std::string_view user_id, std::string_view filter_json) = 0;
};

}  // namespace ranvier::storage
