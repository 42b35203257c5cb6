// GET /rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]] (client-server API,
// "Relationships", https://spec.matrix.org/latest/client-server-api/#relationships) and
// GET /rooms/{roomId}/threads ("Threading",
// https://spec.matrix.org/latest/client-server-api/#querying-threads-in-a-room).
// Both page through the stream order in which events arrived.

#include "api/client/room_reading.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

#include <limits>

namespace ranvier::api::client_server {
namespace {

constexpr std::int64_t default_relations_limit = 5;
constexpr std::int64_t default_threads_limit = 5;
constexpr std::size_t max_limit = 1000;
// How many relations deep `recurse=true` looks (the spec asks for at least 3).
constexpr int recursion_depth = 3;
constexpr std::int64_t end_of_stream = std::numeric_limits<std::int64_t>::max();

/// A token as a gap in the stream order: events with a lower position lie before it. A /sync
/// token `s<e>_..` has seen event e; a /messages or own token `t<d>_<s>` lies before event s.
std::int64_t gap_of(const std::string& token) {
  if (auto topo = TopologicalToken::parse(token)) {
    return topo->stream;
  }
  if (auto sync = SyncToken::parse(token)) {
    return sync->events + 1;
  }
  throw MatrixError(ErrCode::invalid_param, "Unknown pagination token " + token);
}

std::size_t checked_limit(const std::optional<std::int64_t>& limit, std::int64_t fallback, bool zero_allowed) {
  const std::int64_t value = limit.value_or(fallback);
  if (value < 0 || (value == 0 && !zero_allowed)) {
    throw MatrixError(ErrCode::invalid_param, zero_allowed ? "limit must not be negative" : "limit must be positive");
  }
  return std::min(static_cast<std::size_t>(value), max_limit);
}

/// The query parameters the three /relations operations share.
struct RelationsPage {
  std::optional<std::string> dir, from, to;
  std::optional<std::int64_t> limit;
  std::optional<bool> recurse;
};

template <class Request>
RelationsPage page_of(const Request& req) {
  return {.dir = req.dir, .from = req.from, .to = req.to, .limit = req.limit, .recurse = req.recurse};
}

ApiResponse relations(RequestContext& ctx, storage::RelationQuery query, const RelationsPage& page) {
  const auto dir = page.dir.value_or("b") == "f" ? storage::Direction::forward : storage::Direction::backward;
  const std::size_t limit = checked_limit(page.limit, default_relations_limit, true);
  if (page.recurse.value_or(false)) {
    query.max_depth = recursion_depth;
  }
  // Everything older than `from` (backwards) or from it on (forwards), up to `to`.
  std::int64_t after = 0;
  std::int64_t up_to = end_of_stream;
  if (dir == storage::Direction::backward) {
    up_to = page.from ? gap_of(*page.from) - 1 : end_of_stream;
    after = page.to ? gap_of(*page.to) - 1 : 0;
  } else {
    after = page.from ? gap_of(*page.from) - 1 : 0;
    up_to = page.to ? gap_of(*page.to) - 1 : end_of_stream;
  }
  const auto& user = ctx.principal->user_id;

  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto room = RoomReader::open(tx, query.room_id, user);
    room.visible_event(tx, query.room_id, query.event_id);
    auto events = after < up_to ? tx.events().relations(query, after, up_to, dir, limit)
                                : std::vector<storage::StoredEvent>{};
    auto chunk = nlohmann::json::array();
    const PageServer served(tx, room.version, *ctx.principal, {events});
    for (const auto& event : events) {
      if (room.visibility.may_see(event)) {
        chunk.push_back(served.serve(event));
      }
    }
    nlohmann::json out = {{"chunk", chunk}};
    if (events.size() == limit && limit > 0) {
      // The gap beyond the last event read, in the direction of travel.
      const auto& last = events.back();
      const std::int64_t gap = dir == storage::Direction::backward ? last.stream : last.stream + 1;
      out["next_batch"] = TopologicalToken{last.depth, gap}.text();
    }
    if (page.from) {
      out["prev_batch"] = *page.from;
    }
    if (page.recurse) {
      out["recursion_depth"] = query.max_depth;
    }
    return out;
  });
  return json_response(body);
}

}  // namespace

ApiResponse getRelatingEvents(RequestContext& ctx, const GetRelatingEventsRequest& req) {
  return relations(ctx, {.room_id = req.room_id, .event_id = req.event_id}, page_of(req));
}

ApiResponse getRelatingEventsWithRelType(RequestContext& ctx, const GetRelatingEventsWithRelTypeRequest& req) {
  return relations(ctx, {.room_id = req.room_id, .event_id = req.event_id, .rel_type = req.rel_type},
                   page_of(req));
}

ApiResponse getRelatingEventsWithRelTypeAndEventType(RequestContext& ctx,
                                                     const GetRelatingEventsWithRelTypeAndEventTypeRequest& req) {
  return relations(
      ctx,
      {.room_id = req.room_id, .event_id = req.event_id, .rel_type = req.rel_type, .event_type = req.event_type},
      page_of(req));
}

ApiResponse getThreadRoots(RequestContext& ctx, const GetThreadRootsRequest& req) {
  const std::size_t limit = checked_limit(req.limit, default_threads_limit, false);
  const bool participated_only = req.include.value_or("all") == "participated";
  const std::int64_t before = req.from ? gap_of(*req.from) : end_of_stream;
  const auto& user = ctx.principal->user_id;

  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto room = RoomReader::open(tx, req.room_id, user);
    auto threads = tx.events().thread_roots(req.room_id, user, participated_only, before, limit);
    auto chunk = nlohmann::json::array();
    for (const auto& thread : threads) {
      if (room.visibility.may_see(thread.root)) {
        // The root carries its m.thread aggregation like any served event.
        chunk.push_back(serve_event(tx, thread.root, room.version, &*ctx.principal));
      }
    }
    nlohmann::json out = {{"chunk", chunk}};
    if (threads.size() == limit) {
      // The next page holds the threads whose newest event is older than this page's last.
      const auto& last = threads.back();
      out["next_batch"] = TopologicalToken{last.root.depth, last.latest_stream}.text();
    }
    return out;
  });
  return json_response(body);
}

}  // namespace ranvier::api::client_server
