#include "core/state_res/resolve_v1.hpp"

#include <algorithm>
#include <array>
#include <tuple>

#include <openssl/evp.h>

#include "core/state_res/iterative_auth.hpp"
#include "core/state_res/state_split.hpp"

namespace ranvier::state_res {
namespace {

using Sha1 = std::array<unsigned char, 20>;

Sha1 sha1_of(std::string_view text) {
  Sha1 digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr);
  return digest;
}

struct Candidate {
  NodeId node;
  std::int64_t depth;
  Sha1 hash;
};

std::vector<Candidate> candidates_for(EventGraph& graph, std::span<const std::string_view> ids) {
  std::vector<Candidate> out;
  for (auto id : ids) {
    if (auto node = graph.intern(id)) {
      out.push_back({*node, graph.node(*node).depth, sha1_of(id)});
    }
  }
  return out;
}

}  // namespace

StateMap resolve_v1(const core::RoomVersion& v, std::span<const StateMap> states, EventGraph& graph,
                    const auth::SignatureChecks& signatures) {
  SplitStates split = split_states(states, graph.memory());
  WorkState resolved(&split.unconflicted, graph);
  auto passes = [&](NodeId node) { return allowed_in_state(v, graph, resolved, node, false, signatures); };

  // Power levels, then join rules, then memberships: ascending depth, descending sha1(event_id);
  // the first is taken, each later one replaces it while it passes auth against the result.
  for (std::string_view type : {"m.room.power_levels", "m.room.join_rules", "m.room.member"}) {
    for (const auto& [key, ids] : split.conflicted) {
      if (key.first != type) {
        continue;
      }
      auto list = candidates_for(graph, ids);
      if (list.empty()) {
        continue;
      }
      std::sort(list.begin(), list.end(), [](const Candidate& a, const Candidate& b) {
        return a.depth != b.depth ? a.depth < b.depth : a.hash > b.hash;
      });
      resolved.set(key, list.front().node);
      for (std::size_t i = 1; i < list.size(); ++i) {
        if (!passes(list[i].node)) {
          break;
        }
        resolved.set(key, list[i].node);
      }
    }
  }

  // Everything else: the highest depth, lowest sha1(event_id) that passes auth. When none
  // passes, the spec says nothing; like Synapse we keep the last candidate in that order.
  for (const auto& [key, ids] : split.conflicted) {
    if (key.first == "m.room.power_levels" || key.first == "m.room.join_rules" || key.first == "m.room.member") {
      continue;
    }
    auto list = candidates_for(graph, ids);
    if (list.empty()) {
      continue;
    }
    std::sort(list.begin(), list.end(), [](const Candidate& a, const Candidate& b) {
      return a.depth != b.depth ? a.depth > b.depth : a.hash < b.hash;
    });
    NodeId chosen = list.back().node;
    for (const auto& candidate : list) {
      if (passes(candidate.node)) {
        chosen = candidate.node;
        break;
      }
    }
    resolved.set(key, chosen);
  }
  return resolved.merged_with(split.unconflicted);
}

}  // namespace ranvier::state_res
