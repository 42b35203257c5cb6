#include "rooms/event_filter.hpp"

#include "rooms/errors.hpp"

#include <algorithm>

namespace ranvier::rooms {
namespace {

[[noreturn]] void bad(const std::string& field) {
  throw RoomError(RoomErrorKind::invalid_param, "Invalid filter: " + field);
}

std::vector<std::string> string_list(const nlohmann::json& value, const std::string& field) {
  if (!value.is_array()) {
    bad(field + " must be a list of strings");
  }
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) {
      bad(field + " must be a list of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

const nlohmann::json* object_member(const nlohmann::json& object, const char* key) {
  if (!object.contains(key)) {
    return nullptr;
  }
  if (!object[key].is_object()) {
    bad(std::string(key) + " must be an object");
  }
  return &object[key];
}

bool any_glob(const std::vector<std::string>& patterns, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) { return glob_match(p, text); });
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative wildcard matching with backtracking to the last `*`.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

bool EventFilter::matches_type(std::string_view type) const {
  if (any_glob(not_types, type)) {
    return false;
  }
  return !types || any_glob(*types, type);
}

bool EventFilter::matches_room(std::string_view room_id) const {
  if (contains(not_rooms, room_id)) {
    return false;
  }
  return !rooms || contains(*rooms, room_id);
}

bool EventFilter::matches(const storage::StoredEvent& event) const {
  if (!matches_type(event.type) || !matches_room(event.room_id)) {
    return false;
  }
  if (contains(not_senders, event.sender) || (senders && !contains(*senders, event.sender))) {
    return false;
  }
  if (contains_url) {
    auto pdu = nlohmann::json::parse(event.json, nullptr, false);
    bool has_url = pdu.is_object() && pdu.contains("content") && pdu["content"].is_object() &&
                   pdu["content"].contains("url") && pdu["content"]["url"].is_string();
    if (has_url != *contains_url) {
      return false;
    }
  }
  return true;
}

EventFilter EventFilter::parse(const nlohmann::json& filter) {
  EventFilter f;
  if (filter.is_null()) {
    return f;
  }
  if (!filter.is_object()) {
    bad("a filter must be an object");
  }
  if (filter.contains("limit")) {
    if (!filter["limit"].is_number_integer() || filter["limit"].get<std::int64_t>() < 0) {
      bad("limit must be a non-negative integer");
    }
    f.limit = static_cast<std::size_t>(filter["limit"].get<std::int64_t>());
  }
  if (filter.contains("types")) f.types = string_list(filter["types"], "types");
  if (filter.contains("senders")) f.senders = string_list(filter["senders"], "senders");
  if (filter.contains("rooms")) f.rooms = string_list(filter["rooms"], "rooms");
  if (filter.contains("not_types")) f.not_types = string_list(filter["not_types"], "not_types");
  if (filter.contains("not_senders")) f.not_senders = string_list(filter["not_senders"], "not_senders");
  if (filter.contains("not_rooms")) f.not_rooms = string_list(filter["not_rooms"], "not_rooms");
  auto flag = [&](const char* key) -> std::optional<bool> {
    if (!filter.contains(key)) {
      return std::nullopt;
    }
    if (!filter[key].is_boolean()) {
      bad(std::string(key) + " must be a boolean");
    }
    return filter[key].get<bool>();
  };
  f.contains_url = flag("contains_url");
  f.lazy_load_members = flag("lazy_load_members").value_or(false);
  f.include_redundant_members = flag("include_redundant_members").value_or(false);
  f.unread_thread_notifications = flag("unread_thread_notifications").value_or(false);
  return f;
}

SyncFilter SyncFilter::parse(const nlohmann::json& filter) {
  SyncFilter f;
  if (filter.is_null()) {
    return f;
  }
  if (!filter.is_object()) {
    bad("a filter must be an object");
  }
  if (const auto* v = object_member(filter, "account_data")) f.account_data = EventFilter::parse(*v);
  if (const auto* v = object_member(filter, "presence")) f.presence = EventFilter::parse(*v);
  if (const auto* room = object_member(filter, "room")) {
    nlohmann::json rooms_only = nlohmann::json::object();
    for (const char* key : {"rooms", "not_rooms"}) {
      if (room->contains(key)) {
        rooms_only[key] = (*room)[key];
      }
    }
    f.room_filter = EventFilter::parse(rooms_only);
    if (room->contains("include_leave")) {
      if (!(*room)["include_leave"].is_boolean()) {
        bad("include_leave must be a boolean");
      }
      f.include_leave = (*room)["include_leave"].get<bool>();
    }
    if (const auto* v = object_member(*room, "timeline")) f.timeline = EventFilter::parse(*v);
    if (const auto* v = object_member(*room, "state")) f.state = EventFilter::parse(*v);
    if (const auto* v = object_member(*room, "ephemeral")) f.ephemeral = EventFilter::parse(*v);
    if (const auto* v = object_member(*room, "account_data")) f.room_account_data = EventFilter::parse(*v);
  }
  return f;
}

}  // namespace ranvier::rooms
