#include "core/state_res/resolve_v2.hpp"

#include <algorithm>
#include <limits>
#include <tuple>

#include "core/auth/event_auth.hpp"
#include "core/auth/power_levels.hpp"
#include "core/state_res/iterative_auth.hpp"
#include "core/state_res/state_split.hpp"

namespace ranvier::state_res {
namespace {

// A power event might remove someone's ability to do something in the room.
bool is_power_event(const Node& n) {
  if (!n.is_state) {
    return false;
  }
  if (n.type == "m.room.power_levels" || n.type == "m.room.join_rules") {
    return true;
  }
  if (n.type != "m.room.member" || n.state_key == n.sender) {
    return false;
  }
  auto membership = n.membership();
  return membership == "leave" || membership == "ban";
}

// The sender's power level "when looking at their respective auth_events".
auth::PowerLevel sender_power(const core::RoomVersion& v, EventGraph& graph, NodeId id) {
  static const nlohmann::json no_create_event = nlohmann::json::object();
  static const auth::EventFields no_create = auth::read_event_fields(no_create_event);
  const Node& n = graph.node(id);
  const auth::EventFields* create = nullptr;
  if (v.room_id_is_create_hash) {
    auto create_id = graph.create_for_room(n.room_id);
    create = create_id ? &graph.node(*create_id) : nullptr;
  } else {
    for (NodeId a : graph.auth(id)) {
      const Node& candidate = graph.node(a);
      if (candidate.type == "m.room.create" && candidate.is_state && candidate.state_key.empty()) {
        create = &candidate;
      }
    }
  }
  auto power_levels_id = graph.power_levels_auth(id);
  const auth::EventFields* power_levels = power_levels_id ? &graph.node(*power_levels_id) : nullptr;
  return auth::PowerLevels(power_levels, create ? *create : no_create, v).user_level(n.sender);
}

// Kahn's algorithm over the auth edges inside `events`, always taking the smallest ready event
// by (higher power first, then origin_server_ts, then event ID).
std::pmr::vector<NodeId> reverse_topological_power_order(const core::RoomVersion& v, EventGraph& graph,
                                                    std::span<const NodeId> events) {
  struct Key {
    auth::PowerLevel neg_power;
    std::int64_t ts;
    std::string_view id;
    bool operator>(const Key& o) const { return std::tie(neg_power, ts, id) > std::tie(o.neg_power, o.ts, o.id); }
  };
  // Local slots keep the bookkeeping proportional to `events`, not to the whole graph.
  constexpr std::uint32_t absent = std::numeric_limits<std::uint32_t>::max();
  std::pmr::vector<std::uint32_t> slot(graph.size(), absent, graph.memory());
  for (std::uint32_t i = 0; i < events.size(); ++i) {
    slot[events[i]] = i;
  }
  // Each event's dependents (the events citing it) as one array with per-event offsets.
  std::pmr::vector<std::uint32_t> waiting(events.size(), 0, graph.memory());
  std::pmr::vector<std::uint32_t> first_dependent(events.size() + 1, 0, graph.memory());
  auto for_each_edge = [&](auto&& fn) {
    for (NodeId e : events) {
      for (NodeId a : graph.auth(e)) {
        if (a < slot.size() && slot[a] != absent) {
          fn(slot[a], e);
        }
      }
    }
  };
  for_each_edge([&](std::uint32_t target, NodeId e) {
    ++waiting[slot[e]];
    ++first_dependent[target + 1];
  });
  for (std::size_t i = 1; i < first_dependent.size(); ++i) {
    first_dependent[i] += first_dependent[i - 1];
  }
  std::pmr::vector<NodeId> dependents(first_dependent.back(), 0, graph.memory());
  std::pmr::vector<std::uint32_t> fill(first_dependent.begin(), first_dependent.end() - 1, graph.memory());
  for_each_edge([&](std::uint32_t target, NodeId e) { dependents[fill[target]++] = e; });
  auto key_of = [&](NodeId e) {
    auth::PowerLevel power = sender_power(v, graph, e);
    const Node& n = graph.node(e);
    return Key{power == auth::infinite_power ? std::numeric_limits<auth::PowerLevel>::min() : -power,
               n.origin_server_ts, n.id};
  };
  // Keys are computed when the heap first compares an event: an event that is alone in the
  // ready set (chains, single power events) never needs its sender's power level.
  std::pmr::vector<std::optional<Key>> keys(events.size(), graph.memory());
  auto key = [&](NodeId e) -> const Key& {
    auto& k = keys[slot[e]];
    if (!k) {
      k = key_of(e);
    }
    return *k;
  };
  auto later = [&](NodeId a, NodeId b) { return key(a) > key(b); };
  std::pmr::vector<NodeId> ready(graph.memory());
  ready.reserve(events.size());
  auto push = [&](NodeId e) {
    ready.push_back(e);
    std::push_heap(ready.begin(), ready.end(), later);
  };
  for (NodeId e : events) {
    if (waiting[slot[e]] == 0) {
      push(e);
    }
  }
  std::pmr::vector<NodeId> order(graph.memory());
  order.reserve(events.size());
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), later);
    NodeId e = ready.back();
    ready.pop_back();
    order.push_back(e);
    for (std::uint32_t i = first_dependent[slot[e]]; i < first_dependent[slot[e] + 1]; ++i) {
      NodeId d = dependents[i];
      if (--waiting[slot[d]] == 0) {
        push(d);
      }
    }
  }
  return order;
}

// Orders `events` by their position relative to the mainline of `power_levels` (earlier
// mainline first), then origin_server_ts, then event ID.
void mainline_sort(EventGraph& graph, std::optional<NodeId> power_levels, std::pmr::vector<NodeId>& events) {
  if (events.size() < 2) {
    return;
  }
  constexpr std::uint64_t unknown = std::numeric_limits<std::uint64_t>::max() - 1;
  constexpr std::uint64_t infinity = std::numeric_limits<std::uint64_t>::max();
  // position[n]: the mainline index of n if n is on the mainline, else of the first mainline
  // event on n's power-levels chain (infinity if none); computed once per node.
  std::pmr::vector<std::uint64_t> position(graph.size(), unknown, graph.memory());
  std::uint64_t index = 0;
  for (auto p = power_levels; p; p = graph.power_levels_auth(*p)) {
    if (*p >= position.size()) {
      position.resize(graph.size(), unknown);
    }
    if (position[*p] != unknown) {
      break;
    }
    position[*p] = index++;
  }
  std::pmr::vector<NodeId> path(graph.memory());
  auto chain_position = [&](std::optional<NodeId> start) {
    path.clear();
    std::uint64_t found = infinity;
    for (auto p = start; p; p = graph.power_levels_auth(*p)) {
      if (*p >= position.size()) {
        position.resize(graph.size(), unknown);
      }
      if (position[*p] != unknown) {
        found = position[*p];
        break;
      }
      path.push_back(*p);
    }
    for (NodeId visited : path) {
      position[visited] = found;
    }
    return found;
  };
  struct Keyed {
    std::uint64_t position;
    std::int64_t ts;
    std::string_view id;
    NodeId node;
  };
  std::pmr::vector<Keyed> keyed(graph.memory());
  keyed.reserve(events.size());
  for (NodeId e : events) {
    const Node& n = graph.node(e);
    keyed.push_back({chain_position(graph.power_levels_auth(e)), n.origin_server_ts, n.id, e});
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.position != b.position) {
      return a.position > b.position;
    }
    return std::tie(a.ts, a.id) < std::tie(b.ts, b.id);
  });
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    events[i] = keyed[i].node;
  }
}

// v2.1: every event on an auth path between two conflicted events (endpoints included).
std::pmr::vector<NodeId> conflicted_subgraph(EventGraph& graph, const std::pmr::vector<NodeId>& conflicted) {
  std::pmr::vector<std::uint32_t> below(graph.memory());
  auto descendants = graph.auth_chain(conflicted, below, 1);
  std::pmr::vector<char> candidate(graph.size(), 0, graph.memory());
  for (NodeId n : descendants) {
    candidate[n] = 1;
  }
  for (NodeId c : conflicted) {
    candidate[c] = 1;
  }
  // Which candidates can reach a conflicted event: walk auth edges backwards from them.
  std::pmr::vector<std::pmr::vector<NodeId>> referrers(graph.size(), graph.memory());
  for (NodeId n = 0; n < graph.size(); ++n) {
    if (candidate[n]) {
      for (NodeId a : graph.auth(n)) {
        if (candidate[a]) {
          referrers[a].push_back(n);
        }
      }
    }
  }
  std::pmr::vector<char> reaches(graph.size(), 0, graph.memory());
  std::pmr::vector<NodeId> stack(conflicted.begin(), conflicted.end(), graph.memory());
  for (NodeId c : conflicted) {
    reaches[c] = 1;
  }
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    for (NodeId r : referrers[n]) {
      if (!reaches[r]) {
        reaches[r] = 1;
        stack.push_back(r);
      }
    }
  }
  std::pmr::vector<NodeId> out(conflicted.begin(), conflicted.end(), graph.memory());
  for (NodeId n : descendants) {
    if (reaches[n]) {
      out.push_back(n);
    }
  }
  return out;
}

// Which of `targets` lie in the auth chain of `roots`. The walk stops as soon as every target
// has been found.
std::pmr::vector<char> reached_by(EventGraph& graph, std::span<const NodeId> roots, std::span<const NodeId> targets) {
  std::pmr::vector<char> wanted(graph.size(), 0, graph.memory());
  for (NodeId t : targets) {
    wanted[t] = 1;
  }
  std::size_t remaining = targets.size();
  std::pmr::vector<char> reached(graph.size(), 0, graph.memory());
  std::pmr::vector<char> seen(graph.size(), 0, graph.memory());
  std::pmr::vector<NodeId> stack(graph.memory());
  auto expand = [&](NodeId n) {
    auto children = graph.auth(n);
    if (seen.size() < graph.size()) {
      seen.resize(graph.size(), 0);
    }
    for (NodeId a : children) {
      if (seen[a]) {
        continue;
      }
      seen[a] = 1;
      stack.push_back(a);
      if (a < wanted.size() && wanted[a]) {
        reached[a] = 1;
        --remaining;
      }
    }
  };
  for (std::size_t i = 0; i < roots.size() && remaining > 0; ++i) {
    expand(roots[i]);
    while (!stack.empty() && remaining > 0) {
      NodeId n = stack.back();
      stack.pop_back();
      expand(n);
    }
  }
  return reached;
}

}  // namespace

StateMap resolve_v2(const core::RoomVersion& v, std::span<const StateMap> states, EventGraph& graph,
                    const auth::SignatureChecks& signatures) {
  const bool v2_1 = v.state_res == core::StateResAlgorithm::v2_1;
  SplitStates split = split_states(states, graph.memory());

  // Reservations below spare the arena the copies that growing vectors leave behind.
  std::pmr::vector<NodeId> conflicted(graph.memory());
  conflicted.reserve(split.conflicted.size() * 2);
  for (const auto& [key, ids] : split.conflicted) {
    for (auto id : ids) {
      if (auto node = graph.intern(id)) {
        conflicted.push_back(*node);
      }
    }
  }

  // Auth difference. Every state holds the unconflicted events, so each state's full auth
  // chain is U ∪ A_i (U: chain of the unconflicted events, A_i: chain of the state's
  // conflicted events) and ∪C_i − ∩C_i = (∪A_i − ∩A_i) − U. The A_i are small; U, often the
  // whole room, is only searched for the candidates that are not conflicted anyway.
  std::pmr::vector<std::uint32_t> chain_count(graph.memory());
  std::pmr::vector<std::uint32_t> mark(graph.memory());
  std::pmr::vector<NodeId> chain_union(graph.memory());
  chain_union.reserve(graph.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    std::pmr::vector<NodeId> roots(graph.memory());
    roots.reserve(split.conflicted_by_state[i].size());
    for (auto id : split.conflicted_by_state[i]) {
      if (auto node = graph.intern(id)) {
        roots.push_back(*node);
      }
    }
    auto chain = graph.auth_chain(roots, mark, static_cast<std::uint32_t>(i + 1));
    chain_count.resize(graph.size(), 0);
    for (NodeId n : chain) {
      if (chain_count[n]++ == 0) {
        chain_union.push_back(n);
      }
    }
  }

  std::pmr::vector<char> in_full(graph.size(), 0, graph.memory());
  std::pmr::vector<NodeId> full(graph.memory());
  full.reserve(graph.size());
  auto add_full = [&](NodeId n) {
    if (in_full.size() < graph.size()) {
      in_full.resize(graph.size(), 0);
    }
    if (!in_full[n]) {
      in_full[n] = 1;
      full.push_back(n);
    }
  };
  for (NodeId n : conflicted) {
    add_full(n);
  }
  std::pmr::vector<NodeId> candidates(graph.memory());
  candidates.reserve(chain_union.size());
  for (NodeId n : chain_union) {
    if (chain_count[n] < states.size() && !in_full[n]) {
      candidates.push_back(n);
    }
  }
  if (!candidates.empty()) {
    std::pmr::vector<NodeId> unconflicted_nodes(graph.memory());
    unconflicted_nodes.reserve(split.unconflicted.size());
    for (const auto& [key, id] : split.unconflicted) {
      if (auto node = graph.intern(id)) {
        unconflicted_nodes.push_back(*node);
      }
    }
    auto in_common_chain = reached_by(graph, unconflicted_nodes, candidates);
    for (NodeId n : candidates) {
      if (!in_common_chain[n]) {
        add_full(n);
      }
    }
  }
  in_full.resize(graph.size(), 0);

  if (v2_1) {
    for (NodeId n : conflicted_subgraph(graph, conflicted)) {
      add_full(n);
    }
  }
  in_full.resize(graph.size(), 0);

  // Step 1: power events of the full conflicted set and their auth chains within it.
  std::pmr::vector<NodeId> power_roots(graph.memory());
  power_roots.reserve(full.size());
  for (NodeId n : full) {
    if (is_power_event(graph.node(n))) {
      power_roots.push_back(n);
    }
  }
  std::pmr::vector<char> in_power(graph.size(), 0, graph.memory());
  std::pmr::vector<NodeId> power_events(graph.memory());
  power_events.reserve(full.size());
  for (NodeId n : power_roots) {
    in_power[n] = 1;
    power_events.push_back(n);
  }
  std::pmr::vector<std::uint32_t> power_mark(graph.memory());
  for (NodeId n : graph.auth_chain(power_roots, power_mark, 1)) {
    if (in_full[n] && !in_power[n]) {
      in_power[n] = 1;
      power_events.push_back(n);
    }
  }
  auto sorted_power = reverse_topological_power_order(v, graph, power_events);

  // Step 2: iterative auth checks from the unconflicted state (v2) or from nothing (v2.1).
  WorkState state(v2_1 ? nullptr : &split.unconflicted, graph);
  iterative_auth_checks(v, graph, state, sorted_power, signatures);

  // Steps 3–4: the rest, in mainline order of the resolved power levels.
  std::pmr::vector<NodeId> rest(graph.memory());
  rest.reserve(full.size());
  for (NodeId n : full) {
    if (!in_power[n]) {
      rest.push_back(n);
    }
  }
  std::optional<NodeId> power_levels = state.find(KeyView{"m.room.power_levels", ""}).node;
  mainline_sort(graph, power_levels, rest);
  iterative_auth_checks(v, graph, state, rest, signatures);

  // Step 5: the unconflicted state map wins.
  return state.merged_with(split.unconflicted);
}

}  // namespace ranvier::state_res
