#include "core/state_res/state_split.hpp"

#include <algorithm>

namespace ranvier::state_res {

SplitStates split_states(std::span<const StateMap> states) {
  SplitStates out;
  std::vector<StateMap::const_iterator> cursors;
  cursors.reserve(states.size());
  for (const auto& state : states) {
    cursors.push_back(state.begin());
  }
  while (true) {
    const auth::StateKey* smallest = nullptr;
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (cursors[i] != states[i].end() && (smallest == nullptr || cursors[i]->first < *smallest)) {
        smallest = &cursors[i]->first;
      }
    }
    if (smallest == nullptr) {
      break;
    }
    KeyView key{smallest->type, smallest->state_key};
    std::vector<std::string_view> values;
    bool everywhere = true;
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (cursors[i] == states[i].end() || cursors[i]->first != *smallest) {
        everywhere = false;
        continue;
      }
      std::string_view id = cursors[i]->second;
      if (std::find(values.begin(), values.end(), id) == values.end()) {
        values.push_back(id);
      }
      ++cursors[i];
    }
    if (everywhere && values.size() == 1) {
      out.unconflicted.emplace_back(key, values.front());
    } else {
      out.conflicted.emplace_back(key, std::move(values));
    }
  }
  return out;
}

StateMap to_state_map(const WorkState& state) {
  StateMap out;
  for (const auto& [key, id] : state) {
    out.emplace(auth::StateKey{std::string(key.first), std::string(key.second)}, std::string(id));
  }
  return out;
}

}  // namespace ranvier::state_res
