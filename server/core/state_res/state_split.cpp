#include "core/state_res/state_split.hpp"

#include <algorithm>

namespace ranvier::state_res {

SplitStates split_states(std::span<const StateMap> states, std::pmr::memory_resource* memory) {
  SplitStates out(memory);
  out.conflicted_by_state.resize(states.size());
  std::size_t smallest = states.empty() ? 0 : states[0].size();
  for (const auto& state : states) {
    smallest = std::min(smallest, state.size());
  }
  // Every unconflicted key is in the smallest state.
  out.unconflicted.reserve(smallest);
  std::pmr::vector<StateMap::const_iterator> cursors(memory);
  cursors.reserve(states.size());
  // A min-heap of (current key, state index) merges all maps in O(total · log states).
  using Head = std::pair<KeyView, std::size_t>;
  std::pmr::vector<Head> heap(memory);
  for (std::size_t i = 0; i < states.size(); ++i) {
    cursors.push_back(states[i].begin());
    if (cursors[i] != states[i].end()) {
      heap.emplace_back(KeyView{cursors[i]->first.type, cursors[i]->first.state_key}, i);
    }
  }
  auto later = [](const Head& a, const Head& b) { return a > b; };
  std::make_heap(heap.begin(), heap.end(), later);
  std::pmr::vector<std::size_t> holders(memory);
  while (!heap.empty()) {
    KeyView key = heap.front().first;
    holders.clear();
    while (!heap.empty() && heap.front().first == key) {
      std::pop_heap(heap.begin(), heap.end(), later);
      holders.push_back(heap.back().second);
      heap.pop_back();
    }
    std::sort(holders.begin(), holders.end());
    bool same_everywhere = holders.size() == states.size();
    for (std::size_t i : holders) {
      same_everywhere = same_everywhere && cursors[i]->second == cursors[holders.front()]->second;
    }
    if (same_everywhere) {
      out.unconflicted.emplace_back(key, cursors[holders.front()]->second);
    } else {
      std::pmr::vector<std::string_view> values(memory);
      for (std::size_t i : holders) {
        std::string_view id = cursors[i]->second;
        out.conflicted_by_state[i].push_back(id);
        if (std::find(values.begin(), values.end(), id) == values.end()) {
          values.push_back(id);
        }
      }
      out.conflicted.emplace_back(key, std::move(values));
    }
    for (std::size_t i : holders) {
      if (++cursors[i] != states[i].end()) {
        heap.emplace_back(KeyView{cursors[i]->first.type, cursors[i]->first.state_key}, i);
        std::push_heap(heap.begin(), heap.end(), later);
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

namespace {

constexpr NodeId unknown = 0xFFFFFFFF;
constexpr NodeId missing = 0xFFFFFFFE;

}  // namespace

WorkState::WorkState(const SortedEntries* base, EventGraph& graph)
    : base_(base),
      graph_(graph),
      base_nodes_(base != nullptr ? base->size() : 0, unknown, graph.memory()),
      overlay_index_(graph.memory()),
      overlay_(graph.memory()) {}

WorkState::Entry WorkState::find(const KeyView& key) {
  if (auto at = overlay_index_.find(key, hash_key(key))) {
    return {true, overlay_[*at].second};
  }
  if (base_ != nullptr) {
    auto it = std::lower_bound(base_->begin(), base_->end(), key,
                               [](const auto& entry, const KeyView& k) { return entry.first < k; });
    if (it != base_->end() && it->first == key) {
      NodeId& node = base_nodes_[static_cast<std::size_t>(it - base_->begin())];
      if (node == unknown) {
        node = graph_.intern(it->second).value_or(missing);
      }
      return {true, node == missing ? std::nullopt : std::optional(node)};
    }
  }
  return {};
}

void WorkState::set(const KeyView& key, NodeId node) {
  std::uint64_t hash = hash_key(key);
  if (auto at = overlay_index_.find(key, hash)) {
    overlay_[*at].second = node;
    return;
  }
  overlay_index_.insert(key, hash, static_cast<std::uint32_t>(overlay_.size()));
  overlay_.emplace_back(key, node);
}

StateMap WorkState::merged_with(const SortedEntries& winners) const {
  SortedEntries extra(winners.get_allocator());
  for (const auto& [key, node] : overlay_) {
    if (!contains_key(winners, key)) {
      extra.emplace_back(key, graph_.id(node));
    }
  }
  return merge_entries(winners, std::move(extra));
}

}  // namespace ranvier::state_res
