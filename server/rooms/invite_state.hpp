#pragma once
// Stripped state that came with an invite over federation (server-server API, `PUT
// /v2/invite`, `invite_room_state`): for a room this server is not in, the only description of
// the room it has. Kept in the stored invite event's `unsigned`, outside what was signed.

#include "storage/events.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::rooms {

/// The stripped state events stored with an invite (`invite_room_state`) or with a knock of
/// this server's user (`knock_room_state`): entries with a string `type` and `state_key`, cut
/// down to type, state_key, sender and content; empty when there are none.
nlohmann::json invite_room_state(const storage::StoredEvent& invite);

}  // namespace ranvier::rooms
