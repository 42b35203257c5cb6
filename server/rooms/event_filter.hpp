#pragma once
// Filters clients send with /sync and /messages (client-server API, "Filtering"): which
// events, senders and rooms to include, how many, and whether member state is lazy-loaded.

#include "storage/events.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::rooms {

/// An EventFilter / RoomEventFilter. Absent lists match everything; `not_*` lists win over
/// the positive ones. Type patterns may use `*` for any run of characters.
struct EventFilter {
  std::optional<std::size_t> limit;
  std::optional<std::vector<std::string>> types, senders, rooms;
  std::vector<std::string> not_types, not_senders, not_rooms;
  std::optional<bool> contains_url;
  bool lazy_load_members = false;
  bool include_redundant_members = false;
  /// Unread counts per thread in /sync (`unread_thread_notifications`), read from the timeline filter.
  bool unread_thread_notifications = false;

  bool matches(const storage::StoredEvent& event) const;
  bool matches_type(std::string_view type) const;
  bool matches_room(std::string_view room_id) const;

  /// Parses a filter object; throws RoomError(invalid_param) when a field has the wrong type.
  static EventFilter parse(const nlohmann::json& filter);
};

/// A /sync filter.
struct SyncFilter {
  EventFilter account_data;
  EventFilter presence;
  /// `room.rooms` / `room.not_rooms` (kept in `room_filter`), `include_leave`.
  EventFilter room_filter;
  bool include_leave = false;
  EventFilter timeline, state, ephemeral, room_account_data;

  /// Parses a filter object; throws RoomError(invalid_param) on wrong types.
  static SyncFilter parse(const nlohmann::json& filter);
};

/// True if `type` matches `pattern`, where `*` stands for any run of characters.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace ranvier::rooms
