#pragma once
// State resolution: v1 (room version 1), v2 (versions 2–11) and v2.1 (version 12).
// Spec: content/rooms/v1.md, content/rooms/fragments/v2-state-res.md, content/rooms/v12.md.
// A deterministic function of its inputs: events come from the EventStore callback, nothing is
// cached between calls, and the order of the input state sets does not matter.

#include <map>
#include <span>
#include <string>

#include "core/auth/auth_events.hpp"
#include "core/auth/event_store.hpp"
#include "core/room_version.hpp"

namespace ranvier::state_res {

/// A room state: (type, state_key) → event ID.
using StateMap = std::map<auth::StateKey, std::string, auth::StateKeyLess>;

/// A StateMap seen through the AuthState interface (events fetched from `store`). Both must
/// outlive it.
class StateMapAuthState final : public auth::AuthState {
 public:
  StateMapAuthState(const StateMap& state, const auth::EventStore& store) : state_(state), store_(store) {}
  const nlohmann::json* get(std::string_view type, std::string_view state_key) const override;

 private:
  const StateMap& state_;
  const auth::EventStore& store_;
};

/// Resolves a set of room states with the algorithm of the room version. Events the store does
/// not know are left out of conflict resolution (unconflicted entries are kept as given).
/// Zero states resolve to the empty state; a single state resolves to itself.
StateMap resolve(const core::RoomVersion& version, std::span<const StateMap> states, const auth::EventStore& store,
                 const auth::SignatureChecks& signatures);

}  // namespace ranvier::state_res
