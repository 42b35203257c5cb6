// POST /_matrix/client/v3/createRoom (client-server API, "Creation").
// Spec order and presets are applied by rooms::create_room, each event through the pipeline.

#include "api/client/appservice_auth.hpp"
#include "api/client/remote_membership.hpp"
#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "core/identifiers.hpp"
#include "rooms/room_creation.hpp"

#include <cstdio>

namespace ranvier::api::client_server {

ApiResponse createRoom(RequestContext& ctx, const CreateRoomRequest& req) {
  rooms::RoomCreation creation;
  creation.creator = ctx.principal->user_id;
  creation.room_version = req.room_version.value_or(std::string(core::default_room_version));
  creation.preset = req.preset.value_or("");
  creation.is_public = req.visibility.value_or("private") == "public";
  if (req.creation_content) {
    creation.creation_content = *req.creation_content;
  }
  creation.power_level_content_override = req.power_level_content_override;
  if (req.room_alias_name) {
    const auto& name = *req.room_alias_name;
    std::string alias = "#" + name + ":" + ctx.services.identity.server_name;
    if (name.empty() || name.find(':') != std::string::npos || !core::parse_room_alias(alias)) {
      throw MatrixError(ErrCode::invalid_param, "Invalid room_alias_name: " + name);
    }
    check_alias_not_reserved(ctx, alias);
    creation.alias = alias;
  }
  if (req.initial_state) {
    creation.initial_state = *req.initial_state;
  }
  creation.name = req.name;
  creation.topic = req.topic;
  if (req.invite) {
    for (const auto& invitee : *req.invite) {
      if (!invitee.is_string()) {
        throw MatrixError(ErrCode::invalid_param, "invite must list user IDs");
      }
      creation.invite.push_back(checked_user_id(invitee.get<std::string>()));
    }
  }
  creation.is_direct = req.is_direct.value_or(false);
  auto room_id = write_and_notify(ctx, [&](storage::WriteTx& tx) {
    creation.creator_member_content = member_content(tx, creation.creator, "join");
    return rooms::create_room(tx, ctx.services.pipeline, creation);
  });
  // Other servers' users: each invite is countersigned by the invitee's server before it is
  // stored. The room exists by now, so one server that is down costs its invite only.
  for (const auto& invitee : creation.invite) {
    if (core::server_name_of(invitee) == ctx.services.identity.server_name) {
      continue;
    }
    nlohmann::json content = {{"membership", "invite"}};
    if (creation.is_direct) {
      content["is_direct"] = true;
    }
    try {
      invite_remote_user(ctx, room_id, invitee, content);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ranvier: createRoom %s: inviting %s failed: %s\n", room_id.c_str(), invitee.c_str(),
                   e.what());
    }
  }
  return json_response({{"room_id", room_id}});
}

}  // namespace ranvier::api::client_server
