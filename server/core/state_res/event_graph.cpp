#include "core/state_res/event_graph.hpp"

#include <bit>
#include <memory>
#include <type_traits>

#include "core/auth/event_auth.hpp"
#include "core/auth/event_view.hpp"

namespace ranvier::state_res {
namespace {

// get_ptr checks the type once; get<>/get_ref go through conversion code with a throw path.
std::int64_t integer_or_zero(const nlohmann::json& value) {
  if (const auto* signed_value = value.get_ptr<const nlohmann::json::number_integer_t*>()) {
    return *signed_value;
  }
  if (const auto* unsigned_value = value.get_ptr<const nlohmann::json::number_unsigned_t*>()) {
    return static_cast<std::int64_t>(*unsigned_value);
  }
  return 0;
}

// The orderings' fields, read in the same pass as the auth rules' ones.
void read_fields(const nlohmann::json& pdu, Node& node) {
  static_cast<auth::EventFields&>(node) =
      auth::read_event_fields(pdu, [&](std::string_view key, const nlohmann::json& value) {
        if (key == "depth") {
          node.depth = integer_or_zero(value);
        } else if (key == "origin_server_ts") {
          node.origin_server_ts = integer_or_zero(value);
        }
      });
}

// The PDU's `auth_events`. Object keys are sorted and "auth_events" sorts before every other
// PDU field, so it is nearly always the first key: one comparison instead of a tree search.
const nlohmann::json* auth_events_of(const nlohmann::json& pdu) {
  const auto& object = pdu.get_ref<const nlohmann::json::object_t&>();
  if (!object.empty() && std::string_view(object.begin()->first) == "auth_events") {
    return &object.begin()->second;
  }
  return auth::member(pdu, "auth_events");
}

}  // namespace

EventGraph::EventGraph(const auth::EventStore& store, std::pmr::memory_resource* memory)
    : store_(store), memory_(memory), chunks_(memory), edges_(memory), index_(memory) {}

EventGraph::~EventGraph() {
  static_assert(std::is_trivially_destructible_v<Slot>);
  for (std::size_t k = 0; k < chunks_.size(); ++k) {
    memory_->deallocate(chunks_[k], (k == 0 ? first_chunk : chunk) * sizeof(Slot), alignof(Slot));
  }
}

EventGraph::Slot& EventGraph::slot(NodeId id) {
  if (id < first_chunk) {
    return first_chunk_slots_[id];
  }
  id -= first_chunk;
  return chunks_[1 + id / chunk][id % chunk];
}

std::optional<NodeId> EventGraph::intern_copy(std::string id) {
  if (auto found = index_.find(hash_string(id), [&](NodeId n) { return same_text(slot(n).node.id, id); })) {
    return *found;
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
  const std::uint64_t hash = hash_string(event_id);
  if (auto found = index_.find(hash, [&](NodeId n) { return same_text(slot(n).node.id, event_id); })) {
    return *found;
  }
  const auto* pdu = store_.fetch(event_id);
  if (pdu == nullptr || !pdu->is_object()) {
    return std::nullopt;
  }
  const NodeId id = size_;
  if (id == 0 || (id >= first_chunk && (id - first_chunk) % chunk == 0)) {
    std::uint32_t count = id == 0 ? first_chunk : chunk;
    auto* fresh = static_cast<Slot*>(memory_->allocate(count * sizeof(Slot), alignof(Slot)));
    std::uninitialized_default_construct_n(fresh, count);
    chunks_.push_back(fresh);
    first_chunk_slots_ = chunks_.front();
  }
  ++size_;
  Node& node = slot(id).node;
  node.pdu = pdu;
  node.id = event_id;
  index_.insert(hash, id);
  return id;
}

void EventGraph::load_edges(NodeId id) {
  slot(id).edges_loaded = true;
  // Interning does not touch edges_, so the targets can be appended in place.
  auto begin = static_cast<std::uint32_t>(edges_.size());
  auth::for_each_reference(auth_events_of(*slot(id).node.pdu), [&](std::string_view ref) {
    auto target = intern(ref);
    if (target && *target != id) {
      edges_.push_back(*target);
    }
  });
  Slot& s = slot(id);
  s.edges_begin = begin;
  s.edges_count = static_cast<std::uint32_t>(edges_.size() - begin);
}

std::span<const NodeId> EventGraph::auth(NodeId id) {
  Slot& s = slot(id);
  if (!s.edges_loaded) {
    load_edges(id);
  }
  return {edges_.data() + s.edges_begin, s.edges_count};
}

std::optional<NodeId> EventGraph::power_levels_auth(NodeId id) {
  if (!slot(id).power_levels_known) {
    // node() reads fields only; it never loads edges, so the span stays valid.
    std::optional<NodeId> found;
    for (NodeId target : auth(id)) {
      const Node& t = node(target);
      if (t.type == "m.room.power_levels" && t.is_state && t.state_key.empty()) {
        found = target;
      }
    }
    Slot& s = slot(id);
    s.power_levels = found;
    s.power_levels_known = true;
  }
  return slot(id).power_levels;
}

std::optional<NodeId> EventGraph::create_for_room(std::string_view room_id) {
  // Events of one resolution nearly always share their room, so one cached answer suffices.
  if (!create_cache_ || create_cache_->first != room_id) {
    create_cache_.emplace(room_id, intern_copy(auth::create_event_id_for_room(room_id)));
  }
  return create_cache_->second;
}

const Node& EventGraph::node(NodeId id) {
  Node& n = slot(id).node;
  if (!n.fields_loaded) {
    n.fields_loaded = true;
    read_fields(*n.pdu, n);
  }
  return n;
}

bool EventGraph::rejected(NodeId id) {
  Slot& s = slot(id);
  if (s.rejected == Known::unknown) {
    s.rejected = store_.is_rejected(s.node.id) ? Known::yes : Known::no;
  }
  return s.rejected == Known::yes;
}

std::pmr::vector<NodeId> EventGraph::auth_chain(std::span<const NodeId> roots, std::pmr::vector<std::uint32_t>& mark,
                                                std::uint32_t stamp) {
  // The arena makes generous reservations cheap; growing would leave copies behind.
  std::pmr::vector<NodeId> order(memory_);
  std::pmr::vector<NodeId> stack(memory_);
  order.reserve(64);
  stack.reserve(64);
  auto expand = [&](NodeId n) {
    auto children = auth(n);
    if (mark.size() < size_) {
      mark.resize(size_, 0);
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
  mark.resize(size_, 0);
  return order;
}

}  // namespace ranvier::state_res
