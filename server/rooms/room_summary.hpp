#pragma once
// The summary of a room others see before joining it (client-server API, "Room summary" in
// definitions/room_summary.yaml): name, topic, members, join rule... — what the space hierarchy
// answers with, read from the room's current state.

#include "storage/database.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::rooms {

/// The summary of a room this server is in, from its current state.
nlohmann::json room_summary(storage::ReadTx& tx, const storage::Room& room);

}  // namespace ranvier::rooms
