#pragma once
// The state events that let a user recognise a room they are not in: what goes with an invite
// (`invite_room_state`) and back to a knocking server (`knock_room_state`).

#include "core/room_version.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace ranvier::api::server_server {

/// The room's current create, join rules, name, avatar, topic, canonical alias and encryption
/// events, those it has, in federation form (server-server API, "Inviting to a room": the
/// create event must be there, formatted for the room's version).
nlohmann::json recognisable_state(storage::ReadTx& tx, const std::string& room_id, const core::RoomVersion& version);

}  // namespace ranvier::api::server_server
