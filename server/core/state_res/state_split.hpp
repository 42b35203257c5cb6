#pragma once
// Splitting state sets into the unconflicted state map and the conflicted entries, and the
// working state map the resolution algorithms build up.

#include <functional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/state_res/state_res.hpp"

namespace ranvier::state_res {

/// (type, state_key) as views into strings that outlive the resolution.
using KeyView = std::pair<std::string_view, std::string_view>;

/// Hash for KeyView.
struct KeyViewHash {
  std::size_t operator()(const KeyView& key) const noexcept {
    std::size_t h = std::hash<std::string_view>{}(key.first);
    return h ^ (std::hash<std::string_view>{}(key.second) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};

/// A state map under construction: key → event ID.
using WorkState = std::unordered_map<KeyView, std::string_view, KeyViewHash>;

/// The states split per key, in key order.
struct SplitStates {
  /// Keys present in every state with the same event.
  std::vector<std::pair<KeyView, std::string_view>> unconflicted;
  /// Every other key with the distinct events the states give it (in input order, deduplicated).
  std::vector<std::pair<KeyView, std::vector<std::string_view>>> conflicted;
};

/// Splits `states` by walking all maps in key order at once (linear in their total size).
SplitStates split_states(std::span<const StateMap> states);

/// Converts a working state back to a StateMap.
StateMap to_state_map(const WorkState& state);

}  // namespace ranvier::state_res
