#pragma once
// What the read-only room endpoints around one event share (/context, /relations, /threads,
// /timestamp_to_event): the checks that the caller may read the room and see the event, with
// the spec's errors.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "rooms/event_filter.hpp"
#include "rooms/history_visibility.hpp"

#include <optional>
#include <string>

namespace ranvier::api::client_server {

/// A room opened for reading by one user: its version and the user's view of its history.
struct RoomReader {
  const core::RoomVersion& version;
  rooms::HistoryVisibility visibility;

  /// M_FORBIDDEN for unknown rooms and for users who may not read the room (never members,
  /// and not world-readable).
  static RoomReader open(storage::ReadTx& tx, const std::string& room_id, const std::string& user_id) {
    RoomReader reader{room_version(tx, room_id), rooms::HistoryVisibility(tx, room_id, user_id)};
    if (!reader.visibility.may_read_room()) {
      throw MatrixError(ErrCode::forbidden, user_id + " is not in the room " + room_id);
    }
    return reader;
  }

  /// An event of this room in its timeline that the user may see; M_NOT_FOUND otherwise (as
  /// for unknown IDs, so that hidden events cannot be probed).
  storage::StoredEvent visible_event(storage::ReadTx& tx, const std::string& room_id,
                                     const std::string& event_id) {
    auto event = tx.events().get(event_id);
    if (!event || event->room_id != room_id || event->outlier || event->rejected() || event->soft_failed ||
        !visibility.may_see(*event)) {
      throw MatrixError(ErrCode::not_found, "Event not found: " + event_id);
    }
    return std::move(*event);
  }
};

/// A RoomEventFilter given as JSON text in a query parameter (`filter` of /context); no filter
/// when absent, M_INVALID_PARAM when it is not a JSON object or a field has the wrong type.
inline rooms::EventFilter parse_query_filter(const std::optional<std::string>& text) {
  if (!text) {
    return {};
  }
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    throw MatrixError(ErrCode::invalid_param, "filter must be a JSON object");
  }
  return rooms::EventFilter::parse(json);
}

}  // namespace ranvier::api::client_server
