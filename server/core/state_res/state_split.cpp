#include "core/state_res/state_split.hpp"

#include <algorithm>

namespace ranvier::state_res {

SplitStates split_states(std::span<const StateMap> states) {
  SplitStates out;
  out.conflicted_by_state.resize(states.size());
  std::vector<StateMap::const_iterator> cursors;
  cursors.reserve(states.size());
  for (const auto& state : states) {
    cursors.push_back(state.begin());
  }
  std::vector<char> has_key(states.size(), 0);
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
    const std::string* first = nullptr;
    bool same_everywhere = true;
    for (std::size_t i = 0; i < states.size(); ++i) {
      has_key[i] = cursors[i] != states[i].end() && cursors[i]->first == *smallest;
      if (!has_key[i]) {
        same_everywhere = false;
      } else if (first == nullptr) {
        first = &cursors[i]->second;
      } else if (cursors[i]->second != *first) {
        same_everywhere = false;
      }
    }
    if (same_everywhere) {
      out.unconflicted.emplace_back(key, *first);
    } else {
      std::vector<std::string_view> values;
      for (std::size_t i = 0; i < states.size(); ++i) {
        if (!has_key[i]) {
          continue;
        }
        std::string_view id = cursors[i]->second;
        out.conflicted_by_state[i].push_back(id);
        if (std::find(values.begin(), values.end(), id) == values.end()) {
          values.push_back(id);
        }
      }
      out.conflicted.emplace_back(key, std::move(values));
    }
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (has_key[i]) {
        ++cursors[i];
      }
    }
  }
  return out;
}

StateMap merge_entries(const SortedEntries& sorted, SortedEntries extra) {
  std::sort(extra.begin(), extra.end());
  StateMap out;
  auto a = sorted.begin();
  auto b = extra.begin();
  while (a != sorted.end() || b != extra.end()) {
    bool take_a = b == extra.end() || (a != sorted.end() && a->first < b->first);
    const auto& [key, id] = take_a ? *a++ : *b++;
    out.emplace_hint(out.end(), auth::StateKey{std::string(key.first), std::string(key.second)}, std::string(id));
  }
  return out;
}

bool contains_key(const SortedEntries& sorted, const KeyView& key) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), key,
                             [](const auto& entry, const KeyView& k) { return entry.first < k; });
  return it != sorted.end() && it->first == key;
}

std::optional<std::string_view> WorkState::find(const KeyView& key) const {
  if (auto it = overlay_.find(key); it != overlay_.end()) {
    return it->second;
  }
  if (base_ != nullptr) {
    auto it = std::lower_bound(base_->begin(), base_->end(), key,
                               [](const auto& entry, const KeyView& k) { return entry.first < k; });
    if (it != base_->end() && it->first == key) {
      return it->second;
    }
  }
  return std::nullopt;
}

StateMap WorkState::merged_with(const SortedEntries& winners) const {
  SortedEntries extra;
  for (const auto& [key, id] : overlay_) {
    if (!contains_key(winners, key)) {
      extra.emplace_back(key, id);
    }
  }
  return merge_entries(winners, std::move(extra));
}

}  // namespace ranvier::state_res
