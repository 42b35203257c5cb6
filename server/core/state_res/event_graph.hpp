#pragma once
// The part of the auth DAG one resolution touches, with events interned as small integers so
// that auth chains, orderings and sets are vectors and flags instead of string maps.

#include <cstdint>
#include <forward_list>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/auth/event_fields.hpp"
#include "core/auth/event_store.hpp"
#include "core/state_res/flat_index.hpp"

namespace ranvier::state_res {

/// Index of an interned event.
using NodeId = std::uint32_t;

/// One event: the fields the auth rules read (`pdu` is set when interned, the rest on first
/// use: most events of an auth chain are only walked) and those the orderings need.
struct Node : auth::EventFields {
  bool fields_loaded = false;
  /// The ID the event was interned under.
  std::string_view id;
  std::int64_t origin_server_ts = 0;
  std::int64_t depth = 0;
};
// Large rooms hold one Node per event of the auth chains walked; keep it compact.
static_assert(sizeof(Node) <= 136);

/// Lazily interned events of one store. The string views point into the store's events and
/// the caller's ID strings, which outlive the graph.
class EventGraph {
 public:
  /// The graph's own tables and the scratch vectors of the algorithms come from `memory`
  /// (an arena for one resolution); both arguments must outlive the graph.
  explicit EventGraph(const auth::EventStore& store,
                      std::pmr::memory_resource* memory = std::pmr::get_default_resource());
  ~EventGraph();
  EventGraph(const EventGraph&) = delete;
  EventGraph& operator=(const EventGraph&) = delete;

  /// Where scratch vectors of one resolution should allocate.
  std::pmr::memory_resource* memory() const { return memory_; }

  /// As intern, for an ID in a temporary string: the graph keeps its own copy.
  std::optional<NodeId> intern_copy(std::string id);
  /// Prepares room for about `events` events.
  void reserve(std::size_t events);
  /// The node for an event ID, fetching it on first sight; nullopt if the store lacks it.
  std::optional<NodeId> intern(std::string_view event_id);
  /// The node's event ID.
  std::string_view id(NodeId node_id) { return slot(node_id).node.id; }
  /// The node's PDU.
  const nlohmann::json* pdu(NodeId node_id) { return slot(node_id).node.pdu; }
  /// The node's fields (a stable reference), read from the PDU on first access.
  const Node& node(NodeId id);
  /// True if the store marks the event rejected (asked once per node).
  bool rejected(NodeId id);
  /// The node's known auth events (unknown IDs dropped), loading them on first access. The
  /// span is invalidated by the next call that loads another node's edges.
  std::span<const NodeId> auth(NodeId id);
  /// The `m.room.power_levels` event among the node's auth events, if any.
  std::optional<NodeId> power_levels_auth(NodeId id);
  /// The create event a v12 room ID names (`!x` → `$x`), if the store has it.
  std::optional<NodeId> create_for_room(std::string_view room_id);
  /// Number of interned nodes.
  std::size_t size() const { return size_; }

  /// Every event reachable from `roots` through one or more auth edges; `mark` (sized to
  /// size() on return) gets `stamp` for each. Returns the events in visiting order.
  std::pmr::vector<NodeId> auth_chain(std::span<const NodeId> roots, std::pmr::vector<std::uint32_t>& mark,
                                      std::uint32_t stamp);

 private:
  enum class Known : std::uint8_t { no, yes, unknown };
  struct Slot {
    Node node;
    bool edges_loaded = false;
    bool power_levels_known = false;
    Known rejected = Known::unknown;
    std::uint32_t edges_begin = 0;
    std::uint32_t edges_count = 0;
    std::optional<NodeId> power_levels;
  };
  // Slots live in chunks (a small first one, then fixed-size ones), so references from node()
  // stay valid while later lookups intern more events, small resolutions allocate once and
  // large ones waste at most one chunk.
  static constexpr std::uint32_t first_chunk = 16;
  static constexpr std::uint32_t chunk = 256;
  Slot& slot(NodeId id);
  void load_edges(NodeId id);

  const auth::EventStore& store_;
  std::pmr::memory_resource* memory_;
  std::pmr::vector<Slot*> chunks_;
  // chunks_[0], where every small resolution's nodes live, without the vector indirection.
  Slot* first_chunk_slots_ = nullptr;
  NodeId size_ = 0;
  // Rarely used; a forward_list allocates nothing until then and never moves its strings.
  std::forward_list<std::string> owned_ids_;
  std::pmr::vector<NodeId> edges_;
  FlatIndex index_;
  std::optional<std::pair<std::string_view, std::optional<NodeId>>> create_cache_;
};

}  // namespace ranvier::state_res
