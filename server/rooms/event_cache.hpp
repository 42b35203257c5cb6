#pragma once
// Parsed events shared between transactions. Events are immutable once stored (a redaction
// changes what clients are served, not the stored PDU; the one flag that can change later, an
// outlier rejected when it is promoted, is erased here by the promotion), and every send reads
// the same few: the
// room's create event, its power levels and the sender's membership. Keeping them parsed saves
// a query and a JSON parse each per send.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ranvier::rooms {

/// A stored event as the auth code reads it: the PDU with its `event_id`, and whether it was
/// rejected.
struct ParsedEvent {
  nlohmann::json pdu;
  bool rejected = false;
};

/// A thread-safe least-recently-used map from event ID to parsed event.
class EventCache {
 public:
  explicit EventCache(std::size_t capacity) : capacity_(capacity) {}

  /// The cached event, or null.
  std::shared_ptr<const ParsedEvent> find(std::string_view event_id);

  /// Caches a committed event (callers must not cache what a transaction might roll back
  /// without it being harmless: an entry is only reached through an ID something names).
  void put(const std::string& event_id, std::shared_ptr<const ParsedEvent> event);

  /// Forgets an event whose stored row changed: an outlier promoted into the DAG and rejected
  /// there. Erasing inside the changing transaction is enough because the room lock keeps every
  /// other writer that could read the row back out of that room until it commits; a rollback
  /// only costs a re-read.
  void erase(std::string_view event_id);

  std::size_t size() const;

 private:
  using Order = std::list<std::string>;
  struct Slot {
    std::shared_ptr<const ParsedEvent> event;
    Order::iterator position;
  };

  mutable std::mutex mutex_;
  std::size_t capacity_;
  Order order_;  ///< most recently used first
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace ranvier::rooms
