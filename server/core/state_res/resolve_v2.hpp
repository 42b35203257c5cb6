#pragma once
// State resolution v2 (room versions 2–11) and v2.1 (room version 12).

#include <span>

#include "core/state_res/event_graph.hpp"
#include "core/state_res/state_res.hpp"

namespace ranvier::state_res {

/// Resolves two or more states; `version.state_res` picks v2 or v2.1.
StateMap resolve_v2(const core::RoomVersion& version, std::span<const StateMap> states, EventGraph& graph,
                    const auth::SignatureChecks& signatures);

}  // namespace ranvier::state_res
