#include "core/state_res/event_graph.hpp"

#include "core/auth/event_view.hpp"

namespace ranvier::state_res {
namespace {

std::int64_t integer_or_zero(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    return value.get<std::int64_t>();
  }
  return 0;
}

std::string_view string_or_empty(const nlohmann::json& value) {
  return value.is_string() ? std::string_view(value.get_ref<const std::string&>()) : std::string_view{};
}

// One pass over the PDU's members instead of a map lookup per field.
void read_fields(const nlohmann::json& pdu, Node& node) {
  for (const auto& [key, value] : pdu.get_ref<const nlohmann::json::object_t&>()) {
    if (key == "type") {
      node.type = string_or_empty(value);
    } else if (key == "state_key") {
      node.is_state = value.is_string();
      node.state_key = string_or_empty(value);
    } else if (key == "sender") {
      node.sender = string_or_empty(value);
    } else if (key == "origin_server_ts") {
      node.origin_server_ts = integer_or_zero(value);
    } else if (key == "depth") {
      node.depth = integer_or_zero(value);
    }
  }
}

}  // namespace

std::optional<NodeId> EventGraph::intern_copy(std::string id) {
  if (auto it = index_.find(id); it != index_.end()) {
    return it->second;
  }
  // The index keeps views of its keys, so the ID must live as long as the graph.
  auto node = intern(owned_ids_.emplace_front(std::move(id)));
  if (!node) {
    owned_ids_.pop_front();
  }
  return node;
}

void EventGraph::reserve(std::size_t events) {
  index_.reserve(events);
  edges_.reserve(events * 4);
}

std::optional<NodeId> EventGraph::intern(std::string_view event_id) {
  if (auto it = index_.find(event_id); it != index_.end()) {
    return it->second;
  }
  const auto* pdu = store_.fetch(event_id);
  if (pdu == nullptr || !pdu->is_object()) {
    return std::nullopt;
  }
  Node& node = slots_.emplace_back().node;
  node.pdu = pdu;
  node.id = event_id;
  auto id = static_cast<NodeId>(slots_.size() - 1);
  index_.emplace(event_id, id);
  return id;
}

void EventGraph::load_edges(NodeId id) {
  slots_[id].edges.loaded = true;
  // Interning does not touch edges_, so the targets can be appended in place.
  auto begin = static_cast<std::uint32_t>(edges_.size());
  auth::for_each_reference(auth::member(*slots_[id].node.pdu, "auth_events"), [&](std::string_view ref) {
    auto target = intern(ref);
    if (target && *target != id) {
      edges_.push_back(*target);
    }
  });
  Edges& edges = slots_[id].edges;
  edges.begin = begin;
  edges.count = static_cast<std::uint32_t>(edges_.size() - begin);
}

std::span<const NodeId> EventGraph::auth(NodeId id) {
  if (!slots_[id].edges.loaded) {
    load_edges(id);
  }
  const Edges& edges = slots_[id].edges;
  return {edges_.data() + edges.begin, edges.count};
}

std::optional<NodeId> EventGraph::power_levels_auth(NodeId id) {
  if (!slots_[id].edges.power_levels_known) {
    // node() reads fields only; it never loads edges, so the span stays valid.
    for (NodeId target : auth(id)) {
      const Node& t = node(target);
      if (t.type == "m.room.power_levels" && t.is_state && t.state_key.empty()) {
        slots_[id].edges.power_levels = target;
      }
    }
    slots_[id].edges.power_levels_known = true;
  }
  return slots_[id].edges.power_levels;
}

const Node& EventGraph::node(NodeId id) {
  Node& n = slots_[id].node;
  if (!n.fields_loaded) {
    n.fields_loaded = true;
    read_fields(*n.pdu, n);
    n.rejected = store_.is_rejected(n.id);
  }
  return n;
}

std::vector<NodeId> EventGraph::auth_chain(std::span<const NodeId> roots, std::vector<std::uint32_t>& mark,
                                           std::uint32_t stamp) {
  std::vector<NodeId> order;
  std::vector<NodeId> stack;
  auto expand = [&](NodeId n) {
    auto children = auth(n);
    if (mark.size() < slots_.size()) {
      mark.resize(slots_.size(), 0);
    }
    for (NodeId a : children) {
      if (mark[a] != stamp) {
        mark[a] = stamp;
        order.push_back(a);
        stack.push_back(a);
      }
    }
  };
  for (NodeId root : roots) {
    expand(root);
  }
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    expand(n);
  }
  mark.resize(slots_.size(), 0);
  return order;
}

}  // namespace ranvier::state_res
