// GET /rooms/{roomId}/messages (client-server API, "Syncing" → "Getting events for a room"):
// pages through a room's timeline in DAG order, either way, with filters, history visibility
// and lazy-loaded members. Paging back past the history held here (a room joined over
// federation) backfills from the room's other servers first (room_backfill.hpp).

#include "api/client/room_access.hpp"
#include "api/client/room_backfill.hpp"
#include "api/client/room_reading.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "rooms/errors.hpp"
#include "rooms/event_filter.hpp"
#include "rooms/history_visibility.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t default_limit = 10;
constexpr std::size_t max_limit = 1000;
constexpr std::int64_t end_of_room = std::numeric_limits<std::int64_t>::max();
/// Backfill requests one /messages request may make before it answers with what it has.
constexpr int max_backfills_per_page = 4;

/// The gap after the room's last timeline event at or below stream position `at`.
storage::TopologicalPosition after_last_event(storage::ReadTx& tx, const std::string& room_id, std::int64_t at) {
  auto last = tx.events().room_events(room_id, 0, at, storage::Direction::backward, 1);
  if (last.empty()) {
    return {0, 0};
  }
  storage::TopologicalPosition end{last.front().depth, last.front().stream + 1};
  if (at == end_of_room) {
    // An event from another server may arrive last yet sit lower in the DAG than our own
    // latest: the present is after the deepest forward extremity, not after the last arrival.
    for (const auto& id : tx.rooms().forward_extremities(room_id)) {
      if (auto row = tx.events().get_row(id)) {
        end.depth = std::max(end.depth, row->depth);
      }
    }
  }
  return end;
}

/// Where a `from`/`to` token points: the gap just before the event at (depth, stream), so
/// paging backwards from it gives older events and forwards from it that event and newer.
storage::TopologicalPosition position_of(storage::ReadTx& tx, const std::string& room_id, const std::string& token) {
  if (auto topo = TopologicalToken::parse(token)) {
    return {topo->depth, topo->stream};
  }
  if (auto sync = SyncToken::parse(token)) {
    return after_last_event(tx, room_id, sync->events);
  }
  throw MatrixError(ErrCode::invalid_param, "Unknown pagination token " + token);
}

/// True if an event of `page` cites one of `gaps` (sorted) as a prev event.
bool cites_any(const std::vector<storage::StoredEvent>& page, const std::vector<std::string>& gaps) {
  for (const auto& event : page) {
    for (const auto& prev : event.prev_events) {
      if (std::binary_search(gaps.begin(), gaps.end(), prev)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

ApiResponse getRoomEvents(RequestContext& ctx, const GetRoomEventsRequest& req) {
  if (req.dir != "b" && req.dir != "f") {
    throw MatrixError(ErrCode::invalid_param, "dir must be b or f");
  }
  const auto dir = req.dir == "b" ? storage::Direction::backward : storage::Direction::forward;
  rooms::EventFilter filter = parse_query_filter(req.filter);
  if (req.limit && *req.limit < 0) {
    throw MatrixError(ErrCode::invalid_param, "limit must not be negative");
  }
  std::size_t limit = req.limit ? static_cast<std::size_t>(*req.limit) : default_limit;
  if (filter.limit) {
    limit = std::min(limit, *filter.limit);
  }
  limit = std::min(limit, max_limit);
  const auto& user = ctx.principal->user_id;

  // True after a read when the page reached a gap in the history held here that other servers
  // can fill: it stopped short at the start, or one of its events cites a backward extremity.
  bool wants_history = false;
  auto read_page = [&](storage::ReadTx& tx) {
    wants_history = false;
    const auto& version = room_version(tx, req.room_id);
    rooms::HistoryVisibility visibility(tx, req.room_id, user);
    if (!visibility.may_read_room()) {
      throw MatrixError(ErrCode::forbidden, user + " is not in the room " + req.room_id);
    }
    // Without `from`, backwards starts at the present and forwards at the room's beginning.
    storage::TopologicalPosition from =
        req.from ? position_of(tx, req.room_id, *req.from)
                 : (dir == storage::Direction::backward ? after_last_event(tx, req.room_id, end_of_room)
                                                        : storage::TopologicalPosition{0, 0});
    std::optional<storage::TopologicalPosition> to;
    if (req.to) {
      to = position_of(tx, req.room_id, *req.to);
    }
    // Storage pages strictly before or after a position; forwards from a gap includes the
    // event just after it.
    const storage::TopologicalPosition query =
        dir == storage::Direction::backward ? from : storage::TopologicalPosition{from.depth, from.stream - 1};
    auto page = tx.events().room_messages(req.room_id, query, dir, limit);
    bool more = page.size() == limit && limit > 0;
    const bool reached_to =
        to && !page.empty() && storage::TopologicalPosition{page.back().depth, page.back().stream} < *to;
    if (dir == storage::Direction::backward && !reached_to) {
      const auto gaps = tx.rooms().backward_extremities(req.room_id);
      wants_history = !gaps.empty() && (page.size() < limit || cites_any(page, gaps));
    }
    auto chunk = nlohmann::json::array();
    std::set<std::string> senders;
    std::optional<storage::TopologicalPosition> next;
    const PageServer served(tx, version, *ctx.principal, {page});
    for (const auto& event : page) {
      storage::TopologicalPosition here{event.depth, event.stream};
      if (to && (dir == storage::Direction::backward ? here < *to : here >= *to)) {
        more = false;
        break;
      }
      // The gap on the far side of this event, where the next page starts.
      next = dir == storage::Direction::backward ? here : storage::TopologicalPosition{here.depth, here.stream + 1};
      if (!filter.matches(event) || !visibility.may_see(event)) {
        continue;
      }
      senders.insert(event.sender);
      chunk.push_back(served.serve(event));
    }
    nlohmann::json out = {{"chunk", chunk},
                          {"start", req.from ? *req.from : TopologicalToken{from.depth, from.stream}.text()}};
    if (more && next) {
      out["end"] = TopologicalToken{next->depth, next->stream}.text();
    }
    if (filter.lazy_load_members && !page.empty()) {
      // The members who sent the chunk's events, as the state at the nearest event has them.
      auto state = nlohmann::json::array();
      if (auto group = tx.state().event_state_group(page.front().event_id)) {
        std::vector<storage::StateKey> keys;
        for (const auto& sender : senders) {
          keys.push_back({"m.room.member", sender});
        }
        std::vector<std::string> ids;
        for (const auto& [key, id] : tx.state().state_for_keys(*group, keys)) {
          ids.push_back(id);
        }
        for (const auto& event : tx.events().get_many(ids)) {
          state.push_back(serve_event(tx, event, version));
        }
      }
      out["state"] = state;
    }
    return out;
  };
  auto body = ctx.services.database.read(read_page);
  for (int round = 0; round < max_backfills_per_page && wants_history; ++round) {
    if (!backfill_room(ctx, req.room_id, std::max<std::size_t>(limit, 50))) {
      break;
    }
    body = ctx.services.database.read(read_page);
  }
  return json_response(body);
}

}  // namespace ranvier::api::client_server
