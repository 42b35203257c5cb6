#pragma once
// Room state as the auth rules consult it (auth::AuthState), looked up key by key so that
// checking an event in a big room reads a handful of rows, not the member list.

#include "core/auth/event_store.hpp"
#include "rooms/tx_event_source.hpp"
#include "storage/state.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace ranvier::rooms {

/// Resolves a state key to the event holding it, or nullopt.
using StateLookup = std::function<std::optional<std::string>(const storage::StateKey&)>;

/// A state seen through a key lookup, with events from `events`. Lookups are cached.
class StateView final : public auth::AuthState {
 public:
  StateView(StateLookup lookup, TxEventSource& events) : lookup_(std::move(lookup)), events_(events) {}

  const nlohmann::json* get(std::string_view type, std::string_view state_key) const override;

  /// The event ID holding a key, or nullopt.
  std::optional<std::string> event_id(const storage::StateKey& key) const;

  /// The room's current state (room_current_state).
  static StateView current(storage::ReadTx& tx, std::string room_id, TxEventSource& events);
  /// The state of a state group.
  static StateView of_group(storage::ReadTx& tx, std::int64_t group, TxEventSource& events);
  /// A state held in full.
  static StateView of_map(const storage::StateMap& state, TxEventSource& events);

 private:
  StateLookup lookup_;
  TxEventSource& events_;
  mutable std::map<storage::StateKey, std::optional<std::string>> cache_;
};

}  // namespace ranvier::rooms
