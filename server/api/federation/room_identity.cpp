#include "api/federation/room_identity.hpp"

#include "api/federation/federation_rooms.hpp"

#include <vector>

namespace ranvier::api::server_server {

nlohmann::json recognisable_state(storage::ReadTx& tx, const std::string& room_id, const core::RoomVersion& version) {
  std::vector<std::string> ids;
  for (const char* type : {"m.room.create", "m.room.join_rules", "m.room.name", "m.room.avatar", "m.room.topic",
                           "m.room.canonical_alias", "m.room.encryption"}) {
    if (auto id = tx.rooms().current_state_event(room_id, {type, ""})) {
      ids.push_back(*id);
    }
  }
  return federation_pdus(tx, ids, version);
}

}  // namespace ranvier::api::server_server
