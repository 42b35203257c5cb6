#pragma once
// An EventStore over events held in memory, keyed by their `event_id` field. For tests,
// fixtures, fuzzers and benchmarks; a server's store answers from its database instead.

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/auth/event_store.hpp"

namespace ranvier::auth {

/// Events in memory, looked up by their `event_id`.
class MemoryEventStore final : public EventStore {
 public:
  /// Adds (or replaces) an event; returns false if it has no string `event_id`.
  bool add(nlohmann::json pdu, bool rejected = false);
  /// Marks an event rejected or not.
  void set_rejected(std::string_view event_id, bool rejected);
  /// The event with this ID, or nullptr.
  const nlohmann::json* fetch(std::string_view event_id) const override;
  /// True if the event was added as rejected.
  bool is_rejected(std::string_view event_id) const override;
  /// Number of events held.
  std::size_t size() const { return events_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, nlohmann::json, Hash, std::equal_to<>> events_;
  std::unordered_set<std::string, Hash, std::equal_to<>> rejected_;
};

}  // namespace ranvier::auth
