#pragma once
// Splitting state sets into the unconflicted state map and the conflicted entries, and the
// working state map the resolution algorithms build up.

#include <functional>
#include <memory_resource>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/state_res/event_graph.hpp"
#include "core/state_res/flat_index.hpp"
#include "core/state_res/state_res.hpp"

namespace ranvier::state_res {

/// (type, state_key) as views into strings that outlive the resolution.
using KeyView = std::pair<std::string_view, std::string_view>;

/// Key-ordered (key, event) pairs.
using SortedEntries = std::pmr::vector<std::pair<KeyView, std::string_view>>;

/// The states split per key, in key order. All vectors allocate from one memory resource.
struct SplitStates {
  explicit SplitStates(std::pmr::memory_resource* memory)
      : unconflicted(memory), conflicted(memory), conflicted_by_state(memory) {}

  /// Keys present in every state with the same event.
  SortedEntries unconflicted;
  /// Every other key with the distinct events the states give it (in input order, deduplicated).
  std::pmr::vector<std::pair<KeyView, std::pmr::vector<std::string_view>>> conflicted;
  /// Per input state, the events it gives the conflicted keys.
  std::pmr::vector<std::pmr::vector<std::string_view>> conflicted_by_state;
};

/// Splits `states` by walking all maps in key order at once (linear in their total size).
SplitStates split_states(std::span<const StateMap> states,
                         std::pmr::memory_resource* memory = std::pmr::get_default_resource());

/// The StateMap holding `sorted` plus `extra` (any order; keys must not repeat those in
/// `sorted`), built in one ordered pass.
StateMap merge_entries(const SortedEntries& sorted, SortedEntries extra);

/// True if `key` is among the keys of `sorted`.
bool contains_key(const SortedEntries& sorted, const KeyView& key);

/// A state map under construction: an optional base (the unconflicted state map) with the
/// entries set since on top, all as graph nodes. One hash table indexes both; base IDs are
/// interned on first use, so a large unconflicted state costs one table insert per key.
class WorkState {
 public:
  /// `base` (may be null) and `graph` must outlive the WorkState.
  explicit WorkState(const SortedEntries* base, EventGraph& graph);

  /// What find() says about a key.
  struct Entry {
    /// The key has an event.
    bool present = false;
    /// That event, if the store knows it.
    std::optional<NodeId> node;
  };
  /// The event for `key`: the latest one set, else the base's.
  Entry find(const KeyView& key);
  /// Sets `key` to `node`.
  void set(const KeyView& key, NodeId node);
  /// `winners` plus every entry set on top whose key `winners` lacks. The base, if any, must
  /// be `winners` itself (state resolution lets the unconflicted map win at the end).
  StateMap merged_with(const SortedEntries& winners) const;

 private:
  const SortedEntries* base_;
  EventGraph& graph_;
  // The base's entries first, in its order, then keys first set on top. A node is `unknown`
  // until a base ID is interned and `missing` if the store lacks it.
  std::pmr::vector<std::pair<KeyView, NodeId>> entries_;
  std::size_t base_size_ = 0;
  FlatIndex index_;
};

}  // namespace ranvier::state_res
