#pragma once
// POST /rooms/{roomId}/upgrade as room events (client-server API, "Room Upgrades"): a new room
// whose create event names its predecessor, the old room's transferable state copied over,
// local aliases moved, a tombstone in the old room, and the old room's power levels raised so
// ordinary members stop talking there. All in one transaction.

#include "rooms/event_pipeline.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ranvier::rooms {

struct RoomUpgrade {
  std::string old_room_id;
  std::string user_id;
  /// The upgrading user's member event content in the new room.
  nlohmann::json member_content;
  std::string new_version;
  /// Extra creators for room versions with privileged creators (v12).
  std::vector<std::string> additional_creators{};
};

/// Upgrades the room; returns the new room's ID. Throws RoomError: unsupported_version,
/// forbidden (the user may not send a tombstone in the old room, or is not in it).
std::string upgrade_room(storage::WriteTx& tx, const EventPipeline& pipeline, const RoomUpgrade& request);

}  // namespace ranvier::rooms
