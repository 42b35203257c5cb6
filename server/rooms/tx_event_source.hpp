#pragma once
// The auth and state-resolution libraries read events through auth::EventStore; this one
// answers from a storage transaction, parsing each event once per transaction.

#include "core/auth/event_store.hpp"
#include "rooms/event_cache.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ranvier::rooms {

/// Events of a transaction, parsed on first use. The parsed PDU carries its `event_id` (for
/// room versions ≥ 3 it is not part of the PDU), which is what the state-resolution ordering
/// and fixtures expect. Must not outlive the transaction.
class TxEventSource final : public auth::EventStore {
 public:
  /// `shared` (optional) holds parsed events across transactions.
  explicit TxEventSource(storage::ReadTx& tx, EventCache* shared = nullptr) : tx_(tx), shared_(shared) {}

  const nlohmann::json* fetch(std::string_view event_id) const override;
  bool is_rejected(std::string_view event_id) const override;

  /// Makes an event built in this transaction visible before it is stored.
  const nlohmann::json& add(const std::string& event_id, nlohmann::json pdu, bool rejected = false);

 private:
  /// Null: not stored.
  const ParsedEvent* load(std::string_view event_id) const;

  storage::ReadTx& tx_;
  EventCache* shared_;
  mutable std::unordered_map<std::string, std::shared_ptr<const ParsedEvent>> cache_;
};

}  // namespace ranvier::rooms
