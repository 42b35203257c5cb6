#pragma once
// The iterative auth checks shared by the resolution algorithms: apply each event to a working
// state if the auth rules allow it against that state.

#include <span>

#include "core/auth/event_store.hpp"
#include "core/room_version.hpp"
#include "core/state_res/event_graph.hpp"
#include "core/state_res/state_split.hpp"

namespace ranvier::state_res {

/// How an event sees the room while it is checked during resolution.
class ResolutionState final : public auth::AuthState {
 public:
  /// With `use_auth_events`, keys missing from `state` fall back to the event's own (not
  /// rejected) auth events, as state resolution v2 requires; v1 consults only `state`.
  ResolutionState(const core::RoomVersion& version, EventGraph& graph, WorkState& state, NodeId event,
                  bool use_auth_events);

  const nlohmann::json* get(std::string_view type, std::string_view state_key) const override;
  /// The graph's parsed node for the same event (read once per resolution, not per check).
  const auth::EventFields* fields(std::string_view type, std::string_view state_key,
                                  auth::EventFields& scratch) const override;

 private:
  std::optional<NodeId> find(std::string_view type, std::string_view state_key) const;

  const core::RoomVersion& version_;
  EventGraph& graph_;
  WorkState& state_;
  NodeId event_;
  bool use_auth_events_;
};

/// True if the auth rules allow `event` against `state` (see ResolutionState).
bool allowed_in_state(const core::RoomVersion& version, EventGraph& graph, WorkState& state, NodeId event,
                      bool use_auth_events, const auth::SignatureChecks& signatures);

/// Applies `events` in order to `state`, skipping those the auth rules reject.
void iterative_auth_checks(const core::RoomVersion& version, EventGraph& graph, WorkState& state,
                           std::span<const NodeId> events, const auth::SignatureChecks& signatures);

}  // namespace ranvier::state_res
