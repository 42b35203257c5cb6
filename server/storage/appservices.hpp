#pragma once
// What the application service worker keeps (application service API, "Pushing events"):
// each service's position in the event stream and its transactions not yet accepted.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// A queued transaction.
struct AppserviceTxn {
  std::string appservice_id;
  std::int64_t txn_id = 0;
  /// JSON array of event IDs.
  std::string events;
  std::int64_t attempts = 0;
  std::int64_t next_attempt_ts = 0;
  /// JSON array of EDUs (`ephemeral`).
  std::string ephemeral = "[]";

  bool operator==(const AppserviceTxn&) const = default;
};

/// A read receipt row in stream order (storage/receipts.hpp has the per-room reads).
struct StreamedReceipt {
  std::string room_id;
  std::string user_id;
  std::string receipt_type;
  std::string thread_id;  ///< "" when unthreaded
  std::string event_id;
  std::int64_t ts = 0;
  std::int64_t stream = 0;
};

/// A timeline event (not an outlier, rejected or soft-failed) in stream order.
struct StreamedEvent {
  std::string event_id;
  std::string room_id;
  std::string json;
  std::int64_t stream = 0;
};

class AppserviceReads {
 public:
  virtual ~AppserviceReads() = default;
  /// The service's stream position; nullopt before its first use.
  virtual std::optional<std::int64_t> stream_position(std::string_view appservice_id) = 0;
  /// Its oldest queued transaction.
  virtual std::optional<AppserviceTxn> oldest_txn(std::string_view appservice_id) = 0;
  /// Timeline events of every room with `after < stream <= up_to`, oldest first, at most `limit`.
  virtual std::vector<StreamedEvent> timeline_after(std::int64_t after, std::int64_t up_to, std::size_t limit) = 0;
  /// How far the service has read the receipts (0 before its first use).
  virtual std::int64_t receipt_position(std::string_view appservice_id) = 0;
  /// The highest receipt stream position (0 when there are none).
  virtual std::int64_t max_receipt_stream() = 0;
  /// Receipts of every room with `after < stream <= up_to`, oldest first, at most `limit`.
  virtual std::vector<StreamedReceipt> receipts_after(std::int64_t after, std::int64_t up_to, std::size_t limit) = 0;
};

class AppserviceStore : public AppserviceReads {
 public:
  /// Sets the service's stream position (creating its row, with no transaction yet).
  virtual void set_stream_position(std::string_view appservice_id, std::int64_t position) = 0;
  /// Sets how far the service has read the receipts (its row must exist).
  virtual void set_receipt_position(std::string_view appservice_id, std::int64_t position) = 0;
  /// Queues a transaction with the next ID, due at `now_ts`; returns the ID. The service's
  /// row must exist (set_stream_position first).
  virtual std::int64_t add_txn(std::string_view appservice_id, std::string_view events_json,
                               std::string_view ephemeral_json, std::int64_t now_ts) = 0;
  /// Removes an accepted transaction.
  virtual void finish_txn(std::string_view appservice_id, std::int64_t txn_id) = 0;
  /// Counts a failed attempt and sets when to try again.
  virtual void retry_txn(std::string_view appservice_id, std::int64_t txn_id, std::int64_t next_attempt_ts) = 0;
};

}  // namespace ranvier::storage
