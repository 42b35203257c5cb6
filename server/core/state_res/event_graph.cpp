#include "core/state_res/event_graph.hpp"

#include "core/auth/event_view.hpp"

namespace ranvier::state_res {

std::optional<NodeId> EventGraph::intern(std::string_view event_id) {
  if (auto it = index_.find(event_id); it != index_.end()) {
    return it->second;
  }
  const auto* pdu = store_.fetch(event_id);
  if (pdu == nullptr || !pdu->is_object()) {
    return std::nullopt;
  }
  auth::EventView view(*pdu);
  Node node;
  node.pdu = pdu;
  node.id = event_id;
  node.type = view.type();
  auto state_key = view.state_key();
  node.is_state = state_key.has_value();
  node.state_key = state_key.value_or("");
  node.sender = view.sender();
  node.rejected = store_.is_rejected(event_id);
  node.origin_server_ts = view.origin_server_ts();
  node.depth = view.depth();
  auto id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(std::move(node));
  index_.emplace(event_id, id);
  return id;
}

void EventGraph::load_edges(NodeId id) {
  nodes_[id].edges_loaded = true;
  std::vector<NodeId> auth;
  std::optional<NodeId> power_levels;
  auth::for_each_reference(auth::member(*nodes_[id].pdu, "auth_events"), [&](std::string_view ref) {
    auto target = intern(ref);
    if (!target || *target == id) {
      return;
    }
    auth.push_back(*target);
    const auto& t = nodes_[*target];
    if (t.type == "m.room.power_levels" && t.is_state && t.state_key.empty()) {
      power_levels = *target;
    }
  });
  nodes_[id].auth = std::move(auth);
  nodes_[id].power_levels_auth = power_levels;
}

const Node& EventGraph::node(NodeId id) {
  if (!nodes_[id].edges_loaded) {
    load_edges(id);
  }
  return nodes_[id];
}

std::vector<NodeId> EventGraph::auth_chain(const std::vector<NodeId>& roots, std::vector<std::uint32_t>& mark,
                                           std::uint32_t stamp) {
  std::vector<NodeId> order;
  std::vector<NodeId> stack;
  auto visit = [&](NodeId n) {
    if (mark.size() < nodes_.size()) {
      mark.resize(nodes_.size(), 0);
    }
    if (mark[n] != stamp) {
      mark[n] = stamp;
      order.push_back(n);
      stack.push_back(n);
    }
  };
  for (NodeId root : roots) {
    for (NodeId a : node(root).auth) {
      visit(a);
    }
  }
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    for (NodeId a : node(n).auth) {
      visit(a);
    }
  }
  mark.resize(nodes_.size(), 0);
  return order;
}

}  // namespace ranvier::state_res
