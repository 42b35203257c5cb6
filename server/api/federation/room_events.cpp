// Reading a room's events over federation (server-server API, "Retrieving events",
// "Backfilling and retrieving missing events", "Room event by timestamp"):
// GET /event/{eventId}, /state/{roomId}, /state_ids/{roomId}, /event_auth/{roomId}/{eventId},
// /backfill/{roomId}, POST /get_missing_events/{roomId}, GET /timestamp_to_event/{roomId}.
// https://spec.matrix.org/latest/server-server-api/#retrieving-events

#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/redaction.hpp"

#include <algorithm>
#include <queue>
#include <set>

namespace ranvier::api::server_server {
namespace {

/// Most events /backfill and /get_missing_events hand out per request.
constexpr std::int64_t max_events_per_request = 100;

/// `{origin, origin_server_ts, pdus}`: the Transaction shape several endpoints answer with.
nlohmann::json transaction(const RequestContext& ctx, nlohmann::json pdus) {
  return {{"origin", ctx.services.identity.server_name}, {"origin_server_ts", now_ms()}, {"pdus", std::move(pdus)}};
}

/// A timeline event of `room_id` (not rejected, not an outlier) the origin may see; M_NOT_FOUND
/// otherwise.
storage::StoredEvent room_event(storage::ReadTx& tx, const std::string& room_id, const std::string& event_id,
                                std::string_view origin) {
  auto event = tx.events().get(event_id);
  if (!event || event->room_id != room_id || event->rejected() || event->outlier ||
      !server_may_see(tx, *event, origin)) {
    throw MatrixError(ErrCode::not_found, "Event not found: " + event_id);
  }
  return std::move(*event);
}

/// The state before an event and the auth chain of that state, as event IDs.
std::pair<std::vector<std::string>, std::vector<std::string>> state_and_auth_chain(storage::ReadTx& tx,
                                                                                    const storage::StoredEvent& at) {
  std::vector<std::string> state;
  for (const auto& [key, id] : state_before(tx, at)) {
    state.push_back(id);
  }
  return {state, tx.events().auth_chain(state)};
}

/// Walks the DAG backwards from `from` over prev_events, nearest (highest depth) first, until
/// `limit` events are collected. `stop` events are neither collected nor walked through; the
/// starting events are collected only with `include_start`.
std::vector<storage::StoredEvent> walk_back(storage::ReadTx& tx, const std::string& room_id,
                                            const std::vector<std::string>& from, const std::set<std::string>& stop,
                                            std::int64_t min_depth, std::int64_t limit, bool include_start) {
  auto by_depth = [](const storage::StoredEvent& a, const storage::StoredEvent& b) {
    return a.depth != b.depth ? a.depth < b.depth : a.stream < b.stream;
  };
  std::priority_queue<storage::StoredEvent, std::vector<storage::StoredEvent>, decltype(by_depth)> queue(by_depth);
  std::set<std::string> seen(stop.begin(), stop.end());
  auto push = [&](const std::string& id) {
    if (!seen.insert(id).second) {
      return;
    }
    if (auto event = tx.events().get(id); event && event->room_id == room_id && !event->outlier &&
                                          !event->rejected() && event->depth >= min_depth) {
      queue.push(std::move(*event));
    }
  };
  std::vector<storage::StoredEvent> out;
  for (const auto& id : from) {
    if (include_start) {
      push(id);
    } else if (auto event = tx.events().get(id); event && event->room_id == room_id) {
      seen.insert(id);
      for (const auto& prev : event->prev_events) {
        push(prev);
      }
    }
  }
  while (!queue.empty() && static_cast<std::int64_t>(out.size()) < limit) {
    auto event = queue.top();
    queue.pop();
    for (const auto& prev : event.prev_events) {
      push(prev);
    }
    out.push_back(std::move(event));
  }
  return out;
}

/// Events in federation form; those the origin may not see go out redacted.
nlohmann::json served_pdus(storage::ReadTx& tx, const std::vector<storage::StoredEvent>& events,
                           const core::RoomVersion& version, std::string_view origin) {
  auto pdus = nlohmann::json::array();
  for (const auto& event : events) {
    auto pdu = federation_pdu(event, version);
    pdus.push_back(server_may_see(tx, event, origin) ? std::move(pdu) : core::redact(pdu, version));
  }
  return pdus;
}

}  // namespace

ApiResponse getEvent(RequestContext& ctx, const GetEventRequest& req) {
  const auto& origin = origin_of(ctx);
  auto pdu = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto event = tx.events().get(req.event_id);
    if (!event || event->rejected()) {
      throw MatrixError(ErrCode::not_found, "Event not found: " + req.event_id);
    }
    const auto& version = open_room(tx, event->room_id, origin);
    // Outliers (auth chain events) have no state to judge visibility by; they are served as
    // /event_auth serves them.
    if (!event->outlier && !server_may_see(tx, *event, origin)) {
      throw MatrixError(ErrCode::not_found, "Event not found: " + req.event_id);
    }
    return federation_pdu(*event, version);
  });
  return json_response(transaction(ctx, nlohmann::json::array({std::move(pdu)})));
}

ApiResponse getRoomState(RequestContext& ctx, const GetRoomStateRequest& req) {
  const auto& origin = origin_of(ctx);
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto& version = open_room(tx, req.room_id, origin);
    auto at = room_event(tx, req.room_id, req.event_id, origin);
    auto [state, chain] = state_and_auth_chain(tx, at);
    return nlohmann::json{{"pdus", federation_pdus(tx, state, version)},
                          {"auth_chain", federation_pdus(tx, chain, version)}};
  });
  return json_response(body);
}

ApiResponse getRoomStateIds(RequestContext& ctx, const GetRoomStateIdsRequest& req) {
  const auto& origin = origin_of(ctx);
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    open_room(tx, req.room_id, origin);
    auto at = room_event(tx, req.room_id, req.event_id, origin);
    auto [state, chain] = state_and_auth_chain(tx, at);
    return nlohmann::json{{"pdu_ids", state}, {"auth_chain_ids", chain}};
  });
  return json_response(body);
}

ApiResponse getEventAuth(RequestContext& ctx, const GetEventAuthRequest& req) {
  const auto& origin = origin_of(ctx);
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto& version = open_room(tx, req.room_id, origin);
    auto event = tx.events().get_row(req.event_id);
    if (!event || event->room_id != req.room_id) {
      throw MatrixError(ErrCode::not_found, "Event not found: " + req.event_id);
    }
    const std::string ids[] = {req.event_id};
    return nlohmann::json{{"auth_chain", federation_pdus(tx, tx.events().auth_chain(ids), version)}};
  });
  return json_response(body);
}

ApiResponse backfillRoom(RequestContext& ctx, const BackfillRoomRequest& req) {
  const auto& origin = origin_of(ctx);
  if (req.limit < 1) {
    throw MatrixError(ErrCode::invalid_param, "limit must be positive");
  }
  auto pdus = ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto& version = open_room(tx, req.room_id, origin);
    auto events = walk_back(tx, req.room_id, req.v, {}, 0, std::min(req.limit, max_events_per_request), true);
    return served_pdus(tx, events, version, origin);
  });
  return json_response(transaction(ctx, std::move(pdus)));
}

ApiResponse getMissingPreviousEvents(RequestContext& ctx, const GetMissingPreviousEventsRequest& req) {
  const auto& origin = origin_of(ctx);
  auto strings = [](const nlohmann::json& list, const char* name) {
    std::vector<std::string> out;
    if (!list.is_array()) {
      throw MatrixError(ErrCode::bad_json, std::string(name) + " must be a list of event IDs");
    }
    for (const auto& id : list) {
      if (!id.is_string()) {
        throw MatrixError(ErrCode::bad_json, std::string(name) + " must be a list of event IDs");
      }
      out.push_back(id.get<std::string>());
    }
    return out;
  };
  const auto latest = strings(req.latest_events, "latest_events");
  const auto earliest = strings(req.earliest_events, "earliest_events");
  const std::int64_t limit = std::clamp<std::int64_t>(req.limit.value_or(10), 0, max_events_per_request);
  auto events = ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto& version = open_room(tx, req.room_id, origin);
    auto found = walk_back(tx, req.room_id, latest, std::set<std::string>(earliest.begin(), earliest.end()),
                           req.min_depth.value_or(0), limit, false);
    std::reverse(found.begin(), found.end());
    return served_pdus(tx, found, version, origin);
  });
  return json_response({{"events", std::move(events)}});
}

ApiResponse getEventByTimestamp(RequestContext& ctx, const GetEventByTimestampRequest& req) {
  const auto& origin = origin_of(ctx);
  const bool forward = req.dir == "f";
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    open_room(tx, req.room_id, origin);
    auto event = tx.events().event_near_ts(req.room_id, req.ts,
                                           forward ? storage::Direction::forward : storage::Direction::backward);
    if (!event || !server_may_see(tx, *event, origin)) {
      throw MatrixError(ErrCode::not_found, "No event found " + std::string(forward ? "at or after " : "at or before ") +
                                                std::to_string(req.ts));
    }
    return nlohmann::json{{"event_id", event->event_id}, {"origin_server_ts", event->origin_server_ts}};
  });
  return json_response(body);
}

}  // namespace ranvier::api::server_server
