#pragma once
// The summary of a room others see before joining it (client-server API, "Room summary" in
// definitions/room_summary.yaml): name, topic, members, join rule... — what the space hierarchy
// answers with, read from the room's current state.

#include "storage/database.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::rooms {

/// The summary of a room this server is in, from its current state.
nlohmann::json room_summary(storage::ReadTx& tx, const storage::Room& room);

/// The room's current m.space.child events as the hierarchy APIs list them (stripped state with
/// `origin_server_ts`), leaving out children without a `via` list (which the spec says are not
/// children) and, with `suggested_only`, those not marked `suggested`.
nlohmann::json space_children_state(storage::ReadTx& tx, const std::string& room_id, bool suggested_only);

}  // namespace ranvier::rooms
