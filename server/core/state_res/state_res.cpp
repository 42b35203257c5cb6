#include "core/state_res/state_res.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory_resource>

#include "core/state_res/event_graph.hpp"
#include "core/state_res/resolve_v1.hpp"
#include "core/state_res/resolve_v2.hpp"

namespace ranvier::state_res {

const nlohmann::json* StateMapAuthState::get(std::string_view type, std::string_view state_key) const {
  auto it = state_.find(auth::StateKeyView{type, state_key});
  return it == state_.end() ? nullptr : store_.fetch(it->second);
}

StateMap resolve(const core::RoomVersion& version, std::span<const StateMap> states, const auth::EventStore& store,
                 const auth::SignatureChecks& signatures) {
  if (states.empty()) {
    return {};
  }
  bool all_equal = std::all_of(states.begin() + 1, states.end(), [&](const StateMap& s) { return s == states[0]; });
  if (all_equal) {
    return states[0];
  }
  // One arena holds every table and scratch vector of the resolution, so the algorithms pay
  // no malloc/free per vector; small resolutions never leave the stack buffer. Only the
  // returned StateMap uses the ordinary allocator.
  std::array<std::byte, 16 * 1024> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
  EventGraph graph(store, &arena);
  std::size_t largest = 0;
  for (const auto& state : states) {
    largest = std::max(largest, state.size());
  }
  graph.reserve(largest + largest / 2);
  if (version.state_res == core::StateResAlgorithm::v1) {
    return resolve_v1(version, states, graph, signatures);
  }
  return resolve_v2(version, states, graph, signatures);
}

}  // namespace ranvier::state_res
