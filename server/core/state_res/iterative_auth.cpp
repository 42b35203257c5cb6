#include "core/state_res/iterative_auth.hpp"

#include "core/auth/event_auth.hpp"

namespace ranvier::state_res {

ResolutionState::ResolutionState(const core::RoomVersion& version, EventGraph& graph, WorkState& state,
                                 NodeId event, bool use_auth_events)
    : version_(version), graph_(graph), state_(state), event_(event), use_auth_events_(use_auth_events) {}

std::optional<NodeId> ResolutionState::find(std::string_view type, std::string_view state_key) const {
  if (version_.room_id_is_create_hash && type == "m.room.create" && state_key.empty()) {
    // v12: the room ID names the create event; it is never an auth event.
    auto create = graph_.create_for_room(graph_.node(event_).room_id);
    if (!create || graph_.rejected(*create)) {
      return std::nullopt;
    }
    return create;
  }
  if (auto found = state_.find(KeyView{type, state_key}); found.present) {
    return found.node;
  }
  if (!use_auth_events_) {
    return std::nullopt;
  }
  for (NodeId a : graph_.auth(event_)) {
    const Node& candidate = graph_.node(a);
    if (candidate.is_state && same_text(candidate.type, type) && same_text(candidate.state_key, state_key) &&
        !graph_.rejected(a)) {
      return a;
    }
  }
  return std::nullopt;
}

const nlohmann::json* ResolutionState::get(std::string_view type, std::string_view state_key) const {
  auto found = find(type, state_key);
  return found ? graph_.pdu(*found) : nullptr;
}

const auth::EventFields* ResolutionState::fields(std::string_view type, std::string_view state_key,
                                                 auth::EventFields&) const {
  auto found = find(type, state_key);
  return found ? &graph_.node(*found) : nullptr;
}

bool allowed_in_state(const core::RoomVersion& version, EventGraph& graph, WorkState& state, NodeId event,
                      bool use_auth_events, const auth::SignatureChecks& signatures) {
  ResolutionState view(version, graph, state, event, use_auth_events);
  return auth::check_against_state(version, graph.node(event), view, signatures).allowed;
}

void iterative_auth_checks(const core::RoomVersion& version, EventGraph& graph, WorkState& state,
                           std::span<const NodeId> events, const auth::SignatureChecks& signatures) {
  for (NodeId event : events) {
    const Node& node = graph.node(event);
    if (!node.is_state) {
      continue;
    }
    if (allowed_in_state(version, graph, state, event, true, signatures)) {
      state.set(KeyView{node.type, node.state_key}, event);
    }
  }
}

}  // namespace ranvier::state_res
