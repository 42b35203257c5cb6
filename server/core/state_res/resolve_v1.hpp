#pragma once
// State resolution v1 (room version 1), spec content/rooms/v1.md.

#include <span>

#include "core/state_res/event_graph.hpp"
#include "core/state_res/state_res.hpp"

namespace ranvier::state_res {

/// Resolves two or more states with the room version 1 algorithm.
StateMap resolve_v1(const core::RoomVersion& version, std::span<const StateMap> states, EventGraph& graph,
                    const auth::SignatureChecks& signatures);

}  // namespace ranvier::state_res
