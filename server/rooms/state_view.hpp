#pragma once
// Room state as the auth rules consult it (auth::AuthState), looked up key by key so that
// checking an event in a big room reads a handful of rows, not the member list.

#include "core/auth/event_store.hpp"
#include "rooms/tx_event_source.hpp"
#include "storage/state.hpp"

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>

namespace ranvier::rooms {

/// Resolves state keys to the events holding them; keys without one are left out.
using StateLookup = std::function<storage::StateMap(std::span<const storage::StateKey>)>;

/// A state seen through a key lookup, with events from `events`. Lookups are cached.
class StateView final : public auth::AuthState {
 public:
  StateView(StateLookup lookup, TxEventSource& events) : lookup_(std::move(lookup)), events_(events) {}

  const nlohmann::json* get(std::string_view type, std::string_view state_key) const override;

  /// The event ID holding a key, or nullopt.
  std::optional<std::string> event_id(const storage::StateKey& key) const;

  /// Looks up the keys not seen yet in one go (one query instead of one per key), for a
  /// caller that knows which keys the auth rules will ask for.
  void prefetch(std::span<const storage::StateKey> keys) const;

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
