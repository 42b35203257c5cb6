#include "core/state_res/state_split.hpp"

#include <algorithm>

namespace ranvier::state_res {

namespace {

KeyView key_at(StateMap::const_iterator it) { return {it->first.type, it->first.state_key}; }

// Walks all state maps in key order at once, handing out the states that hold the next key.
class KeyMerger {
 public:
  KeyMerger(std::span<const StateMap> states, std::pmr::memory_resource* memory)
      : states_(states), cursors_(memory), heap_(memory) {
    cursors_.reserve(states.size());
    for (const auto& state : states) {
      cursors_.push_back(state.begin());
    }
    if (states.size() > linear_limit) {
      for (std::size_t i = 0; i < states.size(); ++i) {
        push(i);
      }
    }
  }

  /// The current entry of state `i`.
  StateMap::const_iterator at(std::size_t i) const { return cursors_[i]; }

  /// Fills `holders` (ascending) with the states whose current key is the smallest; false
  /// once every map is exhausted. Call advance() before asking again.
  bool next(std::pmr::vector<std::size_t>& holders) {
    holders.clear();
    if (states_.size() <= linear_limit) {
      // Few states (the usual two or three): a scan beats heap upkeep. Most keys are in every
      // state, so equality (cheap on length mismatch) is tried before ordering.
      std::optional<KeyView> smallest;
      for (std::size_t i = 0; i < states_.size(); ++i) {
        if (cursors_[i] == states_[i].end()) {
          continue;
        }
        KeyView key = key_at(cursors_[i]);
        if (smallest && same_key(key, *smallest)) {
          holders.push_back(i);
        } else if (!smallest || key < *smallest) {
          smallest = key;
          holders.clear();
          holders.push_back(i);
        }
      }
      return !holders.empty();
    }
    // Many states: a min-heap of (current key, state index) keeps it O(total · log states).
    if (heap_.empty()) {
      return false;
    }
    KeyView key = heap_.front().first;
    while (!heap_.empty() && heap_.front().first == key) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      holders.push_back(heap_.back().second);
      heap_.pop_back();
    }
    std::sort(holders.begin(), holders.end());
    return true;
  }

  /// Moves the `holders` from next() past their current key.
  void advance(const std::pmr::vector<std::size_t>& holders) {
    for (std::size_t i : holders) {
      ++cursors_[i];
      if (states_.size() > linear_limit) {
        push(i);
      }
    }
  }

 private:
  static constexpr std::size_t linear_limit = 4;
  using Head = std::pair<KeyView, std::size_t>;
  static bool later(const Head& a, const Head& b) { return a > b; }
  void push(std::size_t i) {
    if (cursors_[i] != states_[i].end()) {
      heap_.emplace_back(key_at(cursors_[i]), i);
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
  }

  std::span<const StateMap> states_;
  std::pmr::vector<StateMap::const_iterator> cursors_;
  std::pmr::vector<Head> heap_;
};

}  // namespace

SplitStates split_states(std::span<const StateMap> states, std::pmr::memory_resource* memory) {
  SplitStates out(memory);
  out.conflicted_by_state.resize(states.size());
  for (auto& ids : out.conflicted_by_state) {
    ids.reserve(8);
  }
  out.conflicted.reserve(8);
  std::size_t smallest = states.empty() ? 0 : states[0].size();
  for (const auto& state : states) {
    smallest = std::min(smallest, state.size());
  }
  // Every unconflicted key is in the smallest state.
  out.unconflicted.reserve(smallest);
  KeyMerger merger(states, memory);
  std::pmr::vector<std::size_t> holders(memory);
  holders.reserve(states.size());
  while (merger.next(holders)) {
    KeyView key = key_at(merger.at(holders.front()));
    std::string_view first_id = merger.at(holders.front())->second;
    bool same_everywhere = holders.size() == states.size();
    for (std::size_t i : holders) {
      same_everywhere = same_everywhere && same_text(merger.at(i)->second, first_id);
    }
    if (same_everywhere) {
      out.unconflicted.emplace_back(key, first_id);
    } else {
      std::pmr::vector<std::string_view> values(memory);
      values.reserve(holders.size());
      for (std::size_t i : holders) {
        std::string_view id = merger.at(i)->second;
        out.conflicted_by_state[i].push_back(id);
        if (std::find(values.begin(), values.end(), id) == values.end()) {
          values.push_back(id);
        }
      }
      out.conflicted.emplace_back(key, std::move(values));
    }
    merger.advance(holders);
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
    : base_(base), graph_(graph), entries_(graph.memory()), index_(graph.memory()) {
  if (base_ != nullptr) {
    base_size_ = base_->size();
    entries_.reserve(base_size_);
    index_.reserve(base_size_);
    for (const auto& [key, id] : *base_) {
      index_.insert(hash_key(key), static_cast<std::uint32_t>(entries_.size()));
      entries_.emplace_back(key, unknown);
    }
  }
}

WorkState::Entry WorkState::find(const KeyView& key) {
  auto at = index_.find(hash_key(key), [&](std::uint32_t i) { return same_key(entries_[i].first, key); });
  if (!at) {
    return {};
  }
  NodeId& node = entries_[*at].second;
  if (node == unknown) {
    node = graph_.intern((*base_)[*at].second).value_or(missing);
  }
  return {true, node == missing ? std::nullopt : std::optional(node)};
}

void WorkState::set(const KeyView& key, NodeId node) {
  std::uint64_t hash = hash_key(key);
  if (auto at = index_.find(hash, [&](std::uint32_t i) { return same_key(entries_[i].first, key); })) {
    entries_[*at].second = node;
    return;
  }
  index_.insert(hash, static_cast<std::uint32_t>(entries_.size()));
  entries_.emplace_back(key, node);
}

StateMap WorkState::merged_with(const SortedEntries& winners) const {
  // Base keys are winners' keys, so only the keys first set on top can add anything.
  SortedEntries extra(winners.get_allocator());
  for (std::size_t i = base_size_; i < entries_.size(); ++i) {
    const auto& [key, node] = entries_[i];
    if (base_ != nullptr || !contains_key(winners, key)) {
      extra.emplace_back(key, graph_.id(node));
    }
  }
  return merge_entries(winners, std::move(extra));
}

}  // namespace ranvier::state_res
