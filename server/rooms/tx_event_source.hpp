#pragma once
// The auth and state-resolution libraries read events through auth::EventStore; this one
// answers from a storage transaction, parsing each event once per transaction.

#include "core/auth/event_store.hpp"
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
  explicit TxEventSource(storage::ReadTx& tx) : tx_(tx) {}

  const nlohmann::json* fetch(std::string_view event_id) const override;
  bool is_rejected(std::string_view event_id) const override;

  /// Makes an event built in this transaction visible before it is stored.
  const nlohmann::json& add(const std::string& event_id, nlohmann::json pdu, bool rejected = false);

 private:
  struct Entry {
    std::unique_ptr<nlohmann::json> pdu;  ///< null: not stored
    bool rejected = false;
  };
  const Entry& load(std::string_view event_id) const;

  storage::ReadTx& tx_;
  mutable std::unordered_map<std::string, Entry> cache_;
};

}  // namespace ranvier::rooms
