// The deprecated way of syncing that /sync replaced (client-server API, "Syncing" →
// "Deprecated APIs"), still in the spec and still exercised by SyTest:
//   GET /initialSync                    every room of the user with recent messages and state;
//   GET /rooms/{roomId}/initialSync     the same for one room (members, or anyone when the room
//                                        is world-readable);
//   GET /events[?room_id=]              timeline events after a token, long-polling like /sync
//                                        (with room_id: peeking into one room).
// `end` tokens are /sync tokens, so /events continues where /initialSync stopped and /messages
// accepts the `start` tokens.

#include "api/client/long_poll.hpp"
#include "api/client/room_access.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "config/config.hpp"
#include "rooms/history_visibility.hpp"
#include "rooms/notifier.hpp"
#include "rooms/presence.hpp"
#include "rooms/typing.hpp"

#include <algorithm>
#include <set>

namespace ranvier::api::client_server {
namespace {

constexpr std::int64_t default_limit = 10;
constexpr std::int64_t max_limit = 100;
constexpr std::size_t max_events_per_poll = 100;
constexpr std::int64_t max_timeout_ms = 5 * 60 * 1000;

/// The server's streams now, as a /sync token.
SyncToken current_token(RequestContext& ctx, storage::ReadTx& tx) {
  return {tx.events().max_stream(),
          tx.account_data().max_stream(),
          ctx.services.typing.position(),
          tx.receipts().max_stream(),
          0,
          ctx.services.config.presence_enabled ? ctx.services.presence.position() : 0};
}

/// Serves each stored event of `ids` in client format.
nlohmann::json serve_all(storage::ReadTx& tx, const std::vector<std::string>& ids, const core::RoomVersion& version) {
  auto events = nlohmann::json::array();
  for (const auto& event : tx.events().get_many(ids)) {
    events.push_back(serve_event(tx, event, version));
  }
  return events;
}

/// The room's state for a member: the current state while joined, the state at their
/// membership event after they left or were banned.
nlohmann::json room_state(storage::ReadTx& tx, const std::string& room_id, const storage::RoomMember* member,
                          const core::RoomVersion& version) {
  storage::StateMap state;
  if (member == nullptr || member->membership == storage::Membership::join) {
    state = tx.rooms().current_state(room_id);
  } else if (auto group = tx.state().event_state_group(member->event_id)) {
    state = tx.state().state_map(*group);
  }
  std::vector<std::string> ids;
  for (const auto& [key, id] : state) {
    ids.push_back(id);
  }
  return serve_all(tx, ids, version);
}

/// The newest `limit` timeline events the user may see up to stream position `up_to`, oldest
/// first, with a `start` token for paging further back with /messages and `end` as given.
nlohmann::json recent_messages(storage::ReadTx& tx, const std::string& room_id, std::int64_t up_to,
                               std::size_t limit, const Principal& viewer, const core::RoomVersion& version,
                               const std::string& end) {
  rooms::HistoryVisibility visibility(tx, room_id, viewer.user_id);
  auto page = tx.events().room_events(room_id, 0, up_to, storage::Direction::backward, limit);
  std::string start = end;
  if (!page.empty()) {
    start = TopologicalToken{page.back().depth, page.back().stream}.text();
  }
  auto chunk = nlohmann::json::array();
  const PageServer served(tx, version, viewer, {page});
  for (auto it = page.rbegin(); it != page.rend(); ++it) {
    if (visibility.may_see(*it)) {
      chunk.push_back(served.serve(*it));
    }
  }
  return {{"chunk", chunk}, {"start", start}, {"end", end}};
}

/// The user's account data for one room ("" for the global kind) as events.
nlohmann::json account_data_events(storage::ReadTx& tx, const std::string& user_id, const std::string& room_id) {
  auto events = nlohmann::json::array();
  for (const auto& entry : tx.account_data().changed_since(user_id, 0)) {
    if (entry.room_id == room_id) {
      events.push_back({{"type", entry.type}, {"content", nlohmann::json::parse(entry.content, nullptr, false)}});
    }
  }
  return events;
}

/// m.presence of the given users who are not offline (none when presence is switched off).
nlohmann::json presence_of(RequestContext& ctx, const std::set<std::string>& users) {
  auto events = nlohmann::json::array();
  if (!ctx.services.config.presence_enabled) {
    return events;
  }
  const auto now = now_ms();
  for (const auto& user : users) {
    auto state = ctx.services.presence.get(user);
    if (state.presence != "offline") {
      events.push_back({{"type", "m.presence"}, {"sender", user}, {"content", presence_content(state, now)}});
    }
  }
  return events;
}

/// One room as the deprecated APIs describe it (RoomInfo). `member` is absent for someone
/// peeking into a world-readable room.
nlohmann::json room_info(RequestContext& ctx, storage::ReadTx& tx, const std::string& room_id,
                         const storage::RoomMember* member, std::size_t limit, const std::string& end) {
  const auto& version = room_version(tx, room_id);
  const auto room = tx.rooms().get(room_id);
  nlohmann::json info = {{"room_id", room_id},
                         {"visibility", room && room->is_public ? "public" : "private"},
                         {"account_data", account_data_events(tx, ctx.principal->user_id, room_id)}};
  if (member != nullptr) {
    info["membership"] = std::string(storage::to_string(member->membership));
    if (member->membership == storage::Membership::invite || member->membership == storage::Membership::knock) {
      if (auto event = tx.events().get(member->event_id)) {
        info[member->membership == storage::Membership::invite ? "invite" : "knock"] = serve_event(tx, *event, version);
      }
      return info;
    }
  }
  // A member who left sees the room up to their leave; others up to now.
  const bool gone = member != nullptr && member->membership != storage::Membership::join;
  const std::int64_t up_to = gone ? member->stream : tx.events().max_stream();
  info["messages"] = recent_messages(tx, room_id, up_to, limit, *ctx.principal, version, end);
  info["state"] = room_state(tx, room_id, member, version);
  return info;
}

std::size_t checked_limit(const std::optional<std::int64_t>& limit) {
  if (limit && *limit < 0) {
    throw MatrixError(ErrCode::invalid_param, "limit must not be negative");
  }
  return static_cast<std::size_t>(std::min(limit.value_or(default_limit), max_limit));
}

/// Timeline events after `from` in the user's joined rooms (or in `peek_room`), oldest first;
/// parks the request when there are none and `timeout_ms` allows waiting.
ApiResponse events_after(RequestContext& ctx, SyncToken from, std::optional<std::string> peek_room,
                         std::chrono::steady_clock::time_point deadline, bool final_answer) {
  const auto generation = ctx.services.notifier.generation();
  const auto& user = ctx.principal->user_id;
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto now = current_token(ctx, tx);
    if (from.events > now.events) {
      throw MatrixError(ErrCode::invalid_param, "The from token is from the future");
    }
    std::vector<std::string> rooms;
    if (peek_room) {
      rooms::HistoryVisibility visibility(tx, *peek_room, user);
      if (!tx.rooms().get(*peek_room) || !visibility.may_read_room()) {
        throw MatrixError(ErrCode::forbidden, user + " may not peek into " + *peek_room);
      }
      rooms.push_back(*peek_room);
    } else {
      for (const auto& member : tx.rooms().rooms_for_user(user, storage::Membership::join)) {
        rooms.push_back(member.room_id);
      }
    }
    std::vector<storage::StoredEvent> events;
    for (const auto& room_id : rooms) {
      auto page = tx.events().room_events(room_id, from.events, now.events, storage::Direction::forward,
                                          max_events_per_poll);
      events.insert(events.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
    }
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.stream < b.stream; });
    SyncToken end = now;
    if (events.size() > max_events_per_poll) {
      events.resize(max_events_per_poll);
      end.events = events.back().stream;
    }
    auto chunk = nlohmann::json::array();
    for (const auto& event : events) {
      rooms::HistoryVisibility visibility(tx, event.room_id, user);
      if (visibility.may_see(event)) {
        chunk.push_back(serve_event(tx, event, room_version(tx, event.room_id), &*ctx.principal));
      }
    }
    return nlohmann::json{{"start", from.text()}, {"end", end.text()}, {"chunk", std::move(chunk)}};
  });
  if (!body["chunk"].empty() || final_answer || std::chrono::steady_clock::now() >= deadline) {
    return json_response(body);
  }
  return park_until_notified(ctx, generation, deadline,
                             [from, peek_room, deadline](RequestContext& again, bool at_deadline) {
                               return events_after(again, from, peek_room, deadline, at_deadline);
                             });
}

ApiResponse poll_events(RequestContext& ctx, const std::optional<std::string>& from_text,
                        const std::optional<std::int64_t>& timeout, std::optional<std::string> peek_room) {
  if (timeout && *timeout < 0) {
    throw MatrixError(ErrCode::invalid_param, "timeout must not be negative");
  }
  SyncToken from;
  if (from_text) {
    auto parsed = SyncToken::parse(*from_text);
    if (!parsed) {
      throw MatrixError(ErrCode::invalid_param, "Unknown from token " + *from_text);
    }
    from = *parsed;
  } else {
    // Without a token the stream starts now: only what happens from here on is returned.
    from = ctx.services.database.read([&](storage::ReadTx& tx) { return current_token(ctx, tx); });
  }
  // The spec's default timeout for /events is 30 seconds.
  const auto wait = std::chrono::milliseconds(std::min(timeout.value_or(30000), max_timeout_ms));
  return events_after(ctx, from, std::move(peek_room), std::chrono::steady_clock::now() + wait, false);
}

}  // namespace

ApiResponse initialSync(RequestContext& ctx, const InitialSyncRequest& req) {
  const auto limit = checked_limit(req.limit);
  const auto& user = ctx.principal->user_id;
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto end = current_token(ctx, tx).text();
    std::vector<storage::Membership> kinds = {storage::Membership::join, storage::Membership::invite,
                                              storage::Membership::knock};
    if (req.archived.value_or(false)) {
      kinds.push_back(storage::Membership::leave);
      kinds.push_back(storage::Membership::ban);
    }
    auto rooms = nlohmann::json::array();
    std::set<std::string> people = {user};
    for (auto kind : kinds) {
      for (const auto& member : tx.rooms().rooms_for_user(user, kind)) {
        if (member.forgotten) {
          continue;
        }
        rooms.push_back(room_info(ctx, tx, member.room_id, &member, limit, end));
        if (kind == storage::Membership::join) {
          for (const auto& mate : tx.rooms().members(member.room_id, storage::Membership::join)) {
            people.insert(mate.user_id);
          }
        }
      }
    }
    return nlohmann::json{{"end", end},
                          {"rooms", std::move(rooms)},
                          {"presence", presence_of(ctx, people)},
                          {"account_data", account_data_events(tx, user, "")}};
  });
  return json_response(body);
}

ApiResponse roomInitialSync(RequestContext& ctx, const RoomInitialSyncRequest& req) {
  const auto& user = ctx.principal->user_id;
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    rooms::HistoryVisibility visibility(tx, req.room_id, user);
    if (!tx.rooms().get(req.room_id) || !visibility.may_read_room()) {
      throw MatrixError(ErrCode::forbidden, user + " is not in the room " + req.room_id);
    }
    auto member = tx.rooms().membership(req.room_id, user);
    // Someone who was never in the room (a world-readable one) reads it like a peeker.
    const storage::RoomMember* as_member =
        member && member->membership != storage::Membership::invite ? &*member : nullptr;
    auto info = room_info(ctx, tx, req.room_id, as_member, default_limit, current_token(ctx, tx).text());
    if (member) {
      info["membership"] = std::string(storage::to_string(member->membership));
    }
    std::set<std::string> people;
    for (const auto& mate : tx.rooms().members(req.room_id, storage::Membership::join)) {
      people.insert(mate.user_id);
    }
    info["presence"] = presence_of(ctx, people);
    return info;
  });
  return json_response(body);
}

ApiResponse getEvents(RequestContext& ctx, const GetEventsRequest& req) {
  return poll_events(ctx, req.from, req.timeout, std::nullopt);
}

ApiResponse peekEvents(RequestContext& ctx, const PeekEventsRequest& req) {
  return poll_events(ctx, req.from, req.timeout, req.room_id);
}

}  // namespace ranvier::api::client_server
