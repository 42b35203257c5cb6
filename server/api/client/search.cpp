// POST /search (client-server API, "Server Side Search",
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3search): the
// `room_events` category over the full-text index, in the rooms the caller is or was in,
// showing only events their history visibility lets them see. `next_batch` is the number of
// index matches already read.

#include "api/client/room_reading.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "rooms/errors.hpp"

#include <charconv>
#include <map>
#include <set>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t default_limit = 10;
constexpr std::size_t max_limit = 100;
constexpr std::int64_t default_context = 5;
constexpr std::int64_t max_context = 100;
constexpr std::size_t max_words = 32;
const std::set<std::string> searchable_keys = {"content.body", "content.name", "content.topic"};

struct Criteria {
  std::vector<std::string> words;
  std::vector<std::string> keys;
  storage::SearchOrder order = storage::SearchOrder::rank;
  rooms::EventFilter filter;
  bool with_context = false;
  std::int64_t before_limit = default_context;
  std::int64_t after_limit = default_context;
  bool include_profile = false;
  bool include_state = false;
};

/// Runs of letters and digits (any non-ASCII byte counts as a letter), lower-cased.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && words.size() < max_words) {
      words.push_back(std::move(word));
    }
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c >= 0x80) {
      word += static_cast<char>(std::tolower(c));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

std::int64_t context_limit(const nlohmann::json& context, const char* key) {
  if (!context.contains(key)) {
    return default_context;
  }
  if (!context[key].is_number_integer() || context[key].get<std::int64_t>() < 0) {
    throw MatrixError(ErrCode::invalid_param, std::string("event_context.") + key + " must be a non-negative integer");
  }
  return std::min(context[key].get<std::int64_t>(), max_context);
}

Criteria parse_criteria(const nlohmann::json& room_events) {
  if (!room_events.is_object()) {
    throw MatrixError(ErrCode::bad_json, "room_events must be an object");
  }
  Criteria c;
  if (!room_events.contains("search_term")) {
    throw MatrixError(ErrCode::missing_param, "search_term is required");
  }
  if (!room_events["search_term"].is_string()) {
    throw MatrixError(ErrCode::bad_json, "search_term must be a string");
  }
  c.words = words_of(room_events["search_term"].get<std::string>());
  if (room_events.contains("keys")) {
    if (!room_events["keys"].is_array()) {
      throw MatrixError(ErrCode::bad_json, "keys must be an array");
    }
    for (const auto& key : room_events["keys"]) {
      if (!key.is_string() || !searchable_keys.contains(key.get<std::string>())) {
        throw MatrixError(ErrCode::invalid_param, "keys may only name content.body, content.name, content.topic");
      }
      c.keys.push_back(key.get<std::string>());
    }
  } else {
    c.keys.assign(searchable_keys.begin(), searchable_keys.end());
  }
  if (room_events.contains("order_by")) {
    const auto& order = room_events["order_by"];
    if (order == "recent") {
      c.order = storage::SearchOrder::recent;
    } else if (order != "rank") {
      throw MatrixError(ErrCode::invalid_param, "order_by must be rank or recent");
    }
  }
  if (room_events.contains("filter")) {
    try {
      c.filter = rooms::EventFilter::parse(room_events["filter"]);
    } catch (const rooms::RoomError& e) {
      throw MatrixError(ErrCode::bad_json, e.what());
    }
  }
  if (room_events.contains("event_context")) {
    const auto& context = room_events["event_context"];
    if (!context.is_object()) {
      throw MatrixError(ErrCode::bad_json, "event_context must be an object");
    }
    c.with_context = true;
    c.before_limit = context_limit(context, "before_limit");
    c.after_limit = context_limit(context, "after_limit");
    c.include_profile = context.value("include_profile", false) == true;
  }
  c.include_state = room_events.value("include_state", false) == true;
  return c;
}

std::size_t parse_batch(const std::optional<std::string>& next_batch) {
  if (!next_batch) {
    return 0;
  }
  std::size_t offset = 0;
  const auto* end = next_batch->data() + next_batch->size();
  auto [ptr, ec] = std::from_chars(next_batch->data(), end, offset);
  if (ec != std::errc() || ptr != end) {
    throw MatrixError(ErrCode::invalid_param, "Unknown next_batch token");
  }
  return offset;
}

/// The rooms the user is or was in that the filter lets through, by room ID.
std::vector<std::string> searchable_rooms(storage::ReadTx& tx, const std::string& user_id,
                                          const rooms::EventFilter& filter) {
  std::set<std::string> rooms;
  for (auto membership : {storage::Membership::join, storage::Membership::leave, storage::Membership::ban}) {
    for (const auto& member : tx.rooms().rooms_for_user(user_id, membership)) {
      if (filter.matches_room(member.room_id)) {
        rooms.insert(member.room_id);
      }
    }
  }
  return {rooms.begin(), rooms.end()};
}

/// Reads one room's events for the results: the version, the caller's view of its history
/// and the served form of events, created once per room.
class RoomViews {
 public:
  RoomViews(storage::ReadTx& tx, const std::string& user_id, const Principal& viewer)
      : tx_(tx), user_id_(user_id), viewer_(viewer) {}

  struct View {
    const core::RoomVersion* version;
    rooms::HistoryVisibility visibility;
  };

  View& of(const std::string& room_id) {
    auto it = views_.find(room_id);
    if (it == views_.end()) {
      it = views_.emplace(room_id, View{&room_version(tx_, room_id), rooms::HistoryVisibility(tx_, room_id, user_id_)})
               .first;
    }
    return it->second;
  }

  nlohmann::json serve(const storage::StoredEvent& event) { return serve_event(tx_, event, *of(event.room_id).version, &viewer_); }

 private:
  storage::ReadTx& tx_;
  const std::string& user_id_;
  const Principal& viewer_;
  std::map<std::string, View> views_;
};

/// Visible events next to `event` in DAG order, nearest first, and the position after the last
/// one read (for the context's pagination tokens).
std::pair<nlohmann::json, storage::TopologicalPosition> neighbours(storage::ReadTx& tx, RoomViews& views,
                                                                    const storage::StoredEvent& event,
                                                                    storage::Direction direction, std::int64_t limit) {
  auto out = nlohmann::json::array();
  storage::TopologicalPosition edge{event.depth, event.stream};
  if (limit == 0) {
    return {out, edge};
  }
  auto& view = views.of(event.room_id);
  for (const auto& other : tx.events().room_messages(event.room_id, edge, direction, static_cast<std::size_t>(limit))) {
    edge = {other.depth, other.stream};
    if (view.visibility.may_see(other)) {
      out.push_back(views.serve(other));
    }
  }
  return {out, edge};
}

nlohmann::json profile_info(storage::ReadTx& tx, const std::string& room_id, const std::set<std::string>& senders) {
  auto profiles = nlohmann::json::object();
  for (const auto& sender : senders) {
    auto member_id = tx.rooms().current_state_event(room_id, {"m.room.member", sender});
    if (!member_id) {
      continue;
    }
    auto member = tx.events().get_row(*member_id);
    if (!member) {
      continue;
    }
    auto json = nlohmann::json::parse(member->json, nullptr, false);
    auto profile = nlohmann::json::object();
    if (json.is_object() && json.contains("content") && json["content"].is_object()) {
      for (const char* field : {"displayname", "avatar_url"}) {
        if (json["content"].contains(field) && json["content"][field].is_string()) {
          profile[field] = json["content"][field];
        }
      }
    }
    profiles[sender] = profile;
  }
  return profiles;
}

nlohmann::json search_room_events(RequestContext& ctx, const Criteria& c, std::size_t offset) {
  const auto& user = ctx.principal->user_id;
  const std::size_t limit = std::min(c.filter.limit.value_or(default_limit), max_limit);
  return ctx.services.database.read([&](storage::ReadTx& tx) {
    auto rooms = searchable_rooms(tx, user, c.filter);
    const auto found = tx.search().search({.words = c.words,
                                           .room_ids = rooms,
                                           .keys = c.keys,
                                           .order = c.order,
                                           .offset = offset,
                                           .limit = limit});
    std::vector<std::string> ids;
    std::map<std::string, double> rank;
    for (const auto& hit : found.hits) {
      ids.push_back(hit.event_id);
      rank[hit.event_id] = hit.rank;
    }
    std::map<std::string, storage::StoredEvent> events;
    for (auto& event : tx.events().get_many(ids)) {
      events.emplace(event.event_id, std::move(event));
    }
    RoomViews views(tx, user, *ctx.principal);
    auto results = nlohmann::json::array();
    std::set<std::string> result_rooms;
    for (const auto& hit : found.hits) {
      auto it = events.find(hit.event_id);
      if (it == events.end()) {
        continue;
      }
      const auto& event = it->second;
      if (!c.filter.matches(event) || !views.of(event.room_id).visibility.may_see(event)) {
        continue;
      }
      nlohmann::json result = {{"rank", rank[event.event_id]}, {"result", views.serve(event)}};
      if (c.with_context) {
        auto [before, start] = neighbours(tx, views, event, storage::Direction::backward, c.before_limit);
        auto [after, end] = neighbours(tx, views, event, storage::Direction::forward, c.after_limit);
        nlohmann::json context = {{"events_before", before},
                                  {"events_after", after},
                                  {"start", TopologicalToken{start.depth, start.stream}.text()},
                                  {"end", TopologicalToken{end.depth, end.stream + 1}.text()}};
        if (c.include_profile) {
          std::set<std::string> senders{event.sender};
          for (const auto* side : {&before, &after}) {
            for (const auto& one : *side) {
              senders.insert(one.value("sender", ""));
            }
          }
          context["profile_info"] = profile_info(tx, event.room_id, senders);
        }
        result["context"] = std::move(context);
      }
      result_rooms.insert(event.room_id);
      results.push_back(std::move(result));
    }
    nlohmann::json out = {{"count", found.count}, {"highlights", c.words}, {"results", results}};
    if (found.hits.size() == limit && limit > 0) {
      out["next_batch"] = std::to_string(offset + limit);
    }
    if (c.include_state) {
      auto state = nlohmann::json::object();
      for (const auto& room_id : result_rooms) {
        std::vector<std::string> state_ids;
        for (const auto& [key, id] : tx.rooms().current_state(room_id)) {
          state_ids.push_back(id);
        }
        auto list = nlohmann::json::array();
        for (const auto& event : tx.events().get_many(state_ids)) {
          list.push_back(views.serve(event));
        }
        state[room_id] = std::move(list);
      }
      out["state"] = std::move(state);
    }
    return out;
  });
}

}  // namespace

ApiResponse search(RequestContext& ctx, const SearchRequest& req) {
  if (!req.search_categories.is_object()) {
    throw MatrixError(ErrCode::bad_json, "search_categories must be an object");
  }
  const std::size_t offset = parse_batch(req.next_batch);
  auto categories = nlohmann::json::object();
  if (req.search_categories.contains("room_events")) {
    categories["room_events"] = search_room_events(ctx, parse_criteria(req.search_categories["room_events"]), offset);
  }
  return json_response({{"search_categories", categories}});
}

}  // namespace ranvier::api::client_server
