// GET /rooms/{roomId}/context/{eventId} (client-server API, "Event Context",
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidcontexteventid):
// the events just before and after one event in DAG order, the room state at the last of them,
// and /messages tokens to page on either way.

#include "api/client/room_reading.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

#include <set>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t default_limit = 10;
constexpr std::size_t max_limit = 1000;
// Events read per storage call while looking for ones that pass the filter and visibility.
constexpr std::size_t batch = 50;
// Stop looking after this many events were read on one side, so a filter that matches
// nothing does not read the whole room.
constexpr std::size_t max_scanned = 2000;

/// Events on one side of the requested one, nearest first, and the last one read.
struct Side {
  std::vector<storage::StoredEvent> events;
  storage::TopologicalPosition edge;
};

/// Up to `wanted` events the user may see and the filter lets through, walking from `from`
/// in `direction`. The edge is the last event read, so tokens continue right after it.
Side walk(storage::ReadTx& tx, const std::string& room_id, storage::TopologicalPosition from,
          storage::Direction direction, std::size_t wanted, const rooms::EventFilter& filter,
          rooms::HistoryVisibility& visibility) {
  Side side{.events = {}, .edge = from};
  std::size_t scanned = 0;
  while (side.events.size() < wanted && scanned < max_scanned) {
    auto page = tx.events().room_messages(room_id, side.edge, direction, batch);
    for (auto& event : page) {
      ++scanned;
      side.edge = {event.depth, event.stream};
      if (filter.matches(event) && visibility.may_see(event)) {
        side.events.push_back(std::move(event));
        if (side.events.size() == wanted) {
          break;
        }
      }
    }
    if (page.size() < batch) {
      break;
    }
  }
  return side;
}

/// The state after `event_id` that the filter lets through; with lazy-loaded members, only the
/// member events of `senders`.
nlohmann::json state_at(storage::ReadTx& tx, const std::string& event_id, const core::RoomVersion& version,
                        const rooms::EventFilter& filter, const std::set<std::string>& senders) {
  auto state = nlohmann::json::array();
  auto group = tx.state().event_state_group(event_id);
  if (!group) {
    return state;
  }
  std::vector<std::string> ids;
  for (const auto& [key, id] : tx.state().state_map(*group)) {
    if (filter.lazy_load_members && key.type == "m.room.member" && !senders.contains(key.state_key)) {
      continue;
    }
    ids.push_back(id);
  }
  for (const auto& event : tx.events().get_many(ids)) {
    if (filter.matches(event)) {
      state.push_back(serve_event(tx, event, version));
    }
  }
  return state;
}

}  // namespace

ApiResponse getEventContext(RequestContext& ctx, const GetEventContextRequest& req) {
  if (req.limit && *req.limit < 0) {
    throw MatrixError(ErrCode::invalid_param, "limit must not be negative");
  }
  const std::size_t limit = std::min(req.limit ? static_cast<std::size_t>(*req.limit) : default_limit, max_limit);
  const rooms::EventFilter filter = parse_query_filter(req.filter);
  const auto& user = ctx.principal->user_id;

  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto room = RoomReader::open(tx, req.room_id, user);
    const auto& version = room.version;
    const auto event = room.visible_event(tx, req.room_id, req.event_id);
    // The limit is shared: the older half before, the rest after (as Synapse splits it).
    const std::size_t before_limit = limit / 2;
    const storage::TopologicalPosition here{event.depth, event.stream};
    Side before =
        walk(tx, req.room_id, here, storage::Direction::backward, before_limit, filter, room.visibility);
    Side after =
        walk(tx, req.room_id, here, storage::Direction::forward, limit - before_limit, filter, room.visibility);

    std::set<std::string> senders{event.sender};
    const PageServer page(tx, version, *ctx.principal, {std::span(&event, 1), before.events, after.events});
    auto serve_all = [&](const std::vector<storage::StoredEvent>& events) {
      auto out = nlohmann::json::array();
      for (const auto& one : events) {
        senders.insert(one.sender);
        out.push_back(page.serve(one));
      }
      return out;
    };
    nlohmann::json out = {{"event", page.serve(event)},
                          {"events_before", serve_all(before.events)},
                          {"events_after", serve_all(after.events)}};
    const auto& last = after.events.empty() ? event : after.events.back();
    out["state"] = state_at(tx, last.event_id, version, filter, senders);
    // /messages tokens are gaps: `start` lies before the oldest event read, `end` after the
    // newest, so paging on from them neither repeats nor skips an event.
    out["start"] = TopologicalToken{before.edge.depth, before.edge.stream}.text();
    out["end"] = TopologicalToken{after.edge.depth, after.edge.stream + 1}.text();
    return out;
  });
  return json_response(body);
}

}  // namespace ranvier::api::client_server
