#pragma once
// The part of the auth DAG one resolution touches, with events interned as small integers so
// that auth chains, orderings and sets are vectors and flags instead of string maps.

#include <cstdint>
#include <deque>
#include <forward_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/auth/event_store.hpp"

namespace ranvier::state_res {

/// Index of an interned event.
using NodeId = std::uint32_t;

/// One event; its fields are read on first use (most events of an auth chain are only walked).
struct Node {
  bool fields_loaded = false;
  const nlohmann::json* pdu = nullptr;
  std::string_view id;
  std::string_view type;
  std::string_view state_key;
  std::string_view sender;
  bool is_state = false;
  bool rejected = false;
  std::int64_t origin_server_ts = 0;
  std::int64_t depth = 0;
};

/// Lazily interned events of one store. The string views point into the store's events and
/// the caller's ID strings, which outlive the graph.
class EventGraph {
 public:
  explicit EventGraph(const auth::EventStore& store) : store_(store) {}

  /// As intern, for an ID in a temporary string: the graph keeps its own copy.
  std::optional<NodeId> intern_copy(std::string id);
  /// Prepares room for about `events` events.
  void reserve(std::size_t events);
  /// The node for an event ID, fetching it on first sight; nullopt if the store lacks it.
  std::optional<NodeId> intern(std::string_view event_id);
  /// The node's fields (a stable reference), read from the PDU on first access.
  const Node& node(NodeId id);
  /// The node's known auth events (unknown IDs dropped), loading them on first access. The
  /// span is invalidated by the next call that loads another node's edges.
  std::span<const NodeId> auth(NodeId id);
  /// The `m.room.power_levels` event among the node's auth events, if any.
  std::optional<NodeId> power_levels_auth(NodeId id);
  /// Number of interned nodes.
  std::size_t size() const { return slots_.size(); }

  /// Every event reachable from `roots` through one or more auth edges; `mark` (sized to
  /// size() on return) gets `stamp` for each. Returns the events in visiting order.
  std::vector<NodeId> auth_chain(std::span<const NodeId> roots, std::vector<std::uint32_t>& mark,
                                 std::uint32_t stamp);

 private:
  struct Edges {
    bool loaded = false;
    bool power_levels_known = false;
    std::uint32_t begin = 0;
    std::uint32_t count = 0;
    std::optional<NodeId> power_levels;
  };
  void load_edges(NodeId id);

  const auth::EventStore& store_;
  // A deque keeps references from node() valid while later lookups intern more events.
  struct Slot {
    Node node;
    Edges edges;
  };
  std::deque<Slot> slots_;
  // Rarely used; a forward_list allocates nothing until then and never moves its strings.
  std::forward_list<std::string> owned_ids_;
  std::vector<NodeId> edges_;
  std::unordered_map<std::string_view, NodeId> index_;
};

}  // namespace ranvier::state_res
