// POST /rooms/{roomId}/upgrade (client-server API, "Room Upgrades") and POST /knock/{roomIdOrAlias}
// ("Knocking on rooms"): the membership-like operations that are not plain member changes.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "rooms/room_upgrade.hpp"

namespace ranvier::api::client_server {

ApiResponse upgradeRoom(RequestContext& ctx, const UpgradeRoomRequest& req) {
  rooms::RoomUpgrade upgrade{.old_room_id = req.room_id, .user_id = ctx.principal->user_id,
                             .new_version = req.new_version};
  if (req.additional_creators) {
    if (!req.additional_creators->is_array()) {
      throw MatrixError(ErrCode::invalid_param, "additional_creators must list user IDs");
    }
    for (const auto& creator : *req.additional_creators) {
      if (!creator.is_string()) {
        throw MatrixError(ErrCode::invalid_param, "additional_creators must list user IDs");
      }
      upgrade.additional_creators.push_back(checked_user_id(creator.get<std::string>()));
    }
  }
  auto new_id = write_and_notify(ctx, [&](storage::WriteTx& tx) {
    room_version(tx, req.room_id);
    upgrade.member_content = member_content(tx, upgrade.user_id, "join");
    return rooms::upgrade_room(tx, ctx.services.pipeline, upgrade);
  });
  return json_response({{"replacement_room", new_id}});
}

}  // namespace ranvier::api::client_server
