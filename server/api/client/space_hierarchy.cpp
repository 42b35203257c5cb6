// GET /_matrix/client/v1/rooms/{roomId}/hierarchy (client-server API, "Spaces"):
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1roomsroomidhierarchy
// A depth-first walk of the space tree from the room, showing the rooms the user may see.
// Rooms this server is in are read from their current state; the others are asked of the
// servers the parent's m.space.child event names (server-server GET /hierarchy).
//
// Pagination is stateless: `next_batch` says how many visible rooms the walk has already
// returned, with the walk's settings, and the next page walks again and skips them. Rooms
// changing between pages can shift the walk; the spec allows that (tokens are best effort).

#include "api/client/room_preview.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "rooms/room_summary.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace ranvier::api::client_server {
namespace {

constexpr std::int64_t default_limit = 50;
constexpr std::int64_t max_limit = 100;
// The walk never goes deeper than this, whatever the client asks: spaces can nest without end.
constexpr std::int64_t max_walk_depth = 50;

/// The walk's settings and position, as `next_batch` carries them: "<skip>_<max_depth>_<0|1>".
struct Position {
  std::int64_t skip = 0;
  std::int64_t max_depth = max_walk_depth;
  bool suggested_only = false;

  std::string token() const {
    return std::to_string(skip) + "_" + std::to_string(max_depth) + "_" + (suggested_only ? "1" : "0");
  }
};

std::optional<std::int64_t> parse_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

/// The position a request asks for: from its `from` token (whose settings the request may not
/// change, spec: "max_depth and suggested_only cannot be changed") or from the start.
Position requested_position(const GetSpaceHierarchyRequest& req) {
  Position asked;
  asked.max_depth = std::min(req.max_depth.value_or(max_walk_depth), max_walk_depth);
  asked.suggested_only = req.suggested_only.value_or(false);
  if (!req.from) {
    return asked;
  }
  const auto& token = *req.from;
  const auto first = token.find('_');
  const auto second = first == std::string::npos ? first : token.find('_', first + 1);
  if (second == std::string::npos) {
    throw MatrixError(ErrCode::invalid_param, "Unknown pagination token");
  }
  auto skip = parse_number(std::string_view(token).substr(0, first));
  auto depth = parse_number(std::string_view(token).substr(first + 1, second - first - 1));
  const auto suggested = std::string_view(token).substr(second + 1);
  if (!skip || !depth || (suggested != "0" && suggested != "1")) {
    throw MatrixError(ErrCode::invalid_param, "Unknown pagination token");
  }
  Position from{*skip, *depth, suggested == "1"};
  if (from.max_depth != asked.max_depth || from.suggested_only != asked.suggested_only) {
    throw MatrixError(ErrCode::invalid_param, "suggested_only and max_depth cannot change on paginated requests");
  }
  return from;
}

/// A child named by an m.space.child event of a room in the walk.
struct Child {
  std::string room_id;
  std::vector<std::string> via;
  std::optional<std::string> order;
  std::int64_t origin_server_ts = 0;
};

/// Spec ("Ordering of children within a space"): `order` counts only when it is a string of at
/// most 50 characters between U+0020 and U+007E.
std::optional<std::string> valid_order(const nlohmann::json& content) {
  const auto it = content.find("order");
  if (it == content.end() || !it->is_string()) {
    return std::nullopt;
  }
  auto order = it->get<std::string>();
  const bool printable = std::all_of(order.begin(), order.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
  if (order.size() > 50 || !printable) {
    return std::nullopt;
  }
  return order;
}

/// The children in the spec's order: those with an `order` first, by it; then by the child
/// event's origin_server_ts; then by room ID.
std::vector<Child> ordered_children(const nlohmann::json& children_state) {
  std::vector<Child> children;
  for (const auto& event : children_state) {
    if (!event.is_object() || !event.contains("state_key") || !event["state_key"].is_string()) {
      continue;
    }
    const auto content = event.value("content", nlohmann::json::object());
    const auto via = content.is_object() ? content.value("via", nlohmann::json()) : nlohmann::json();
    if (!via.is_array() || via.empty()) {
      continue;
    }
    Child child{event["state_key"].get<std::string>(), {}, valid_order(content), 0};
    for (const auto& server : via) {
      if (server.is_string()) {
        child.via.push_back(server.get<std::string>());
      }
    }
    if (event.contains("origin_server_ts") && event["origin_server_ts"].is_number_integer()) {
      child.origin_server_ts = event["origin_server_ts"].get<std::int64_t>();
    }
    children.push_back(std::move(child));
  }
  std::stable_sort(children.begin(), children.end(), [](const Child& a, const Child& b) {
    if (a.order.has_value() != b.order.has_value()) {
      return a.order.has_value();
    }
    if (a.order != b.order) {
      return *a.order < *b.order;
    }
    if (a.origin_server_ts != b.origin_server_ts) {
      return a.origin_server_ts < b.origin_server_ts;
    }
    return a.room_id < b.room_id;
  });
  return children;
}

/// Walks the tree for one request, remembering summaries remote servers gave for children so
/// that a room is asked of the federation at most once.
class Walk {
 public:
  Walk(RequestContext& ctx, std::optional<std::string> user_id, bool suggested_only)
      : ctx_(ctx), user_id_(std::move(user_id)), suggested_only_(suggested_only) {}

  /// The room's summary with `children_state`, and whether the user may see it; nullopt when
  /// neither this server nor the servers in `via` know the room.
  struct Node {
    nlohmann::json summary;
    bool visible = false;
  };

  std::optional<Node> load(const std::string& room_id, const std::vector<std::string>& via) {
    if (auto local = load_local(room_id)) {
      return local;
    }
    return load_remote(room_id, via);
  }

 private:
  std::optional<Node> load_local(const std::string& room_id) {
    return ctx_.services.database.read([&](storage::ReadTx& tx) -> std::optional<Node> {
      auto room = tx.rooms().get(room_id);
      if (!room || tx.rooms().forward_extremities(room_id).empty()) {
        return std::nullopt;
      }
      Node node{rooms::room_summary(tx, *room), false};
      node.visible = may_preview(tx, node.summary, viewer_of(tx, user_id_, room_id));
      node.summary["children_state"] = rooms::space_children_state(tx, room_id, suggested_only_);
      return node;
    });
  }

  std::optional<Node> load_remote(const std::string& room_id, const std::vector<std::string>& via) {
    nlohmann::json summary;
    auto known = remote_children_.find(room_id);
    // A child summary from the parent's answer carries no children of its own: a space among
    // them is asked for itself.
    if (known != remote_children_.end() && known->second.value("room_type", "") != "m.space") {
      summary = known->second;
      summary["children_state"] = nlohmann::json::array();
    } else {
      auto answer = fetch_remote_hierarchy(ctx_, room_id, via, suggested_only_);
      if (!answer) {
        return std::nullopt;
      }
      summary = (*answer)["room"];
      if (!summary.contains("children_state") || !summary["children_state"].is_array()) {
        summary["children_state"] = nlohmann::json::array();
      }
      for (const auto& child : answer->value("children", nlohmann::json::array())) {
        if (child.is_object() && child.contains("room_id") && child["room_id"].is_string()) {
          remote_children_.emplace(child["room_id"].get<std::string>(), child);
        }
      }
    }
    return ctx_.services.database.read([&](storage::ReadTx& tx) {
      return Node{summary, may_preview(tx, summary, viewer_of(tx, user_id_, room_id))};
    });
  }

  RequestContext& ctx_;
  std::optional<std::string> user_id_;
  bool suggested_only_;
  std::map<std::string, nlohmann::json> remote_children_;
};

/// Servers that may know a room reached without a parent: the one in its ID (room versions
/// before 12), and the one whose user invited the viewer.
std::vector<std::string> root_servers(RequestContext& ctx, const std::string& room_id) {
  std::vector<std::string> servers;
  if (auto colon = room_id.find(':'); colon != std::string::npos) {
    servers.push_back(room_id.substr(colon + 1));
  }
  ctx.services.database.read([&](storage::ReadTx& tx) {
    auto member = tx.rooms().membership(room_id, ctx.principal->user_id);
    if (member && member->membership == storage::Membership::invite) {
      if (auto invite = tx.events().get_row(member->event_id)) {
        servers.emplace_back(core::server_name_of(invite->sender));
      }
    }
  });
  return servers;
}

}  // namespace

ApiResponse getSpaceHierarchy(RequestContext& ctx, const GetSpaceHierarchyRequest& req) {
  if (req.limit && *req.limit <= 0) {
    throw MatrixError(ErrCode::invalid_param, "limit must be greater than zero");
  }
  if (req.max_depth && *req.max_depth < 0) {
    throw MatrixError(ErrCode::invalid_param, "max_depth must not be negative");
  }
  const auto limit = std::min(req.limit.value_or(default_limit), max_limit);
  const auto position = requested_position(req);
  Walk walk(ctx, ctx.principal->user_id, position.suggested_only);

  auto root = walk.load(req.room_id, root_servers(ctx, req.room_id));
  if (!root || !root->visible) {
    throw MatrixError(ErrCode::forbidden, "You are not allowed to view the room " + req.room_id);
  }
  struct Pending {
    std::string room_id;
    std::int64_t depth;
    std::vector<std::string> via;
    std::optional<Walk::Node> node;
  };
  std::vector<Pending> stack{{req.room_id, 0, {}, std::move(root)}};
  std::set<std::string> seen;
  std::int64_t visible_seen = 0;
  auto rooms = nlohmann::json::array();
  while (!stack.empty() && static_cast<std::int64_t>(rooms.size()) < limit) {
    auto next = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(next.room_id).second) {
      continue;
    }
    auto node = next.node ? std::move(next.node) : walk.load(next.room_id, next.via);
    if (!node || !node->visible) {
      continue;
    }
    if (next.depth < position.max_depth) {
      auto children = ordered_children(node->summary["children_state"]);
      for (auto it = children.rbegin(); it != children.rend(); ++it) {
        if (!seen.contains(it->room_id)) {
          stack.push_back({it->room_id, next.depth + 1, it->via, std::nullopt});
        }
      }
    }
    if (visible_seen++ >= position.skip) {
      rooms.push_back(std::move(node->summary));
    }
  }
  nlohmann::json body{{"rooms", std::move(rooms)}};
  const bool more = std::any_of(stack.begin(), stack.end(), [&](const Pending& p) { return !seen.contains(p.room_id); });
  if (more) {
    Position after = position;
    after.skip = visible_seen;
    body["next_batch"] = after.token();
  }
  return json_response(body);
}

}  // namespace ranvier::api::client_server
