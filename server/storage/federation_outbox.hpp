#pragma once
// What this server still has to send to other servers (server-server API, "Transactions"):
// PDUs and EDUs queued per destination in the same transaction as the change that caused
// them, so nothing is lost across a crash or restart, plus each destination's back-off after
// failed attempts. The sender takes the oldest items of a destination, sends them as one
// transaction and removes them once the destination accepted it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

enum class OutboundKind { pdu, edu };

/// One queued PDU or EDU for one destination.
struct OutboundItem {
  std::int64_t stream = 0;
  std::string destination;
  OutboundKind kind = OutboundKind::pdu;
  /// JSON object text: the PDU, or the EDU with its `edu_type` and `content`.
  std::string body;

  bool operator==(const OutboundItem&) const = default;
};

/// Why and until when a destination is backed off.
struct DestinationBackoff {
  std::string destination;
  /// No attempt before this time (ms since the epoch).
  std::int64_t retry_at_ms = 0;
  /// The interval that produced retry_at_ms; the next failure doubles it.
  std::int64_t backoff_ms = 0;
  std::string last_error;

  bool operator==(const DestinationBackoff&) const = default;
};

class FederationOutboxReads {
 public:
  virtual ~FederationOutboxReads() = default;
  /// Destinations with queued items that are not backed off at `now_ms`, at most `limit`.
  virtual std::vector<std::string> due_destinations(std::int64_t now_ms, std::size_t limit) = 0;
  /// The earliest retry time among backed-off destinations that have queued items.
  virtual std::optional<std::int64_t> next_retry_at() = 0;
  /// The oldest queued items of one destination: up to `max_pdus` PDUs and `max_edus` EDUs,
  /// each kind oldest first.
  virtual std::vector<OutboundItem> pending(std::string_view destination, std::size_t max_pdus,
                                            std::size_t max_edus) = 0;
  /// The destination's back-off, if its last attempt failed.
  virtual std::optional<DestinationBackoff> backoff(std::string_view destination) = 0;
};

class FederationOutboxStore : public FederationOutboxReads {
 public:
  /// Queues one item for one destination.
  virtual void enqueue(std::string_view destination, OutboundKind kind, std::string_view body) = 0;
  /// Removes items the destination accepted.
  virtual void remove(std::string_view destination, const std::vector<std::int64_t>& streams) = 0;
  /// Records a failed attempt (replacing the previous back-off).
  virtual void set_backoff(const DestinationBackoff& backoff) = 0;
  /// Forgets the destination's back-off (it answered, or it contacted us).
  virtual void clear_backoff(std::string_view destination) = 0;
};

}  // namespace ranvier::storage
