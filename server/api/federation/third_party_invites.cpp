// PUT /_matrix/federation/v1/exchange_third_party_invite/{roomId} (server-server API,
// "Third-party invites"): the invitee's server, told by an identity server that the address of
// an m.room.third_party_invite is now bound to one of its users, asks the room's server to turn
// it into an m.room.member invite. The invite is made here in the name of the user who invited
// the address, carrying the identity server's signed block; the room's auth rules check that
// block against the public keys of the third-party invite event, and the invitee's server
// countersigns the invite as for any invite of its users.

#include "api/client/remote_membership.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"

namespace ranvier::api::server_server {
namespace {

/// `content.third_party_invite.signed`, with string `mxid` and `token`; M_INVALID_PARAM if not.
const nlohmann::json& signed_block(const nlohmann::json& content) {
  const auto invite = content.find("third_party_invite");
  if (invite == content.end() || !invite->is_object()) {
    throw MatrixError(ErrCode::invalid_param, "The invite has no third_party_invite");
  }
  const auto block = invite->find("signed");
  if (block == invite->end() || !block->is_object() || !block->contains("mxid") || !(*block)["mxid"].is_string() ||
      !block->contains("token") || !(*block)["token"].is_string() || !block->contains("signatures")) {
    throw MatrixError(ErrCode::invalid_param, "third_party_invite.signed needs mxid, token and signatures");
  }
  return *block;
}

}  // namespace

ApiResponse exchangeThirdPartyInvite(RequestContext& ctx, const ExchangeThirdPartyInviteRequest& req) {
  const auto& origin = origin_of(ctx);
  const auto& own = ctx.services.identity.server_name;
  if (req.type != "m.room.member" || req.room_id_body != req.room_id || !req.content.is_object() ||
      req.content.value("membership", "") != "invite") {
    throw MatrixError(ErrCode::invalid_param, "Expected an m.room.member invite for the room " + req.room_id);
  }
  const auto& block = signed_block(req.content);
  if (block["mxid"] != req.state_key) {
    throw MatrixError(ErrCode::invalid_param, "third_party_invite.signed.mxid is not the invitee");
  }
  if (core::server_name_of(req.state_key) != origin) {
    throw MatrixError(ErrCode::forbidden, "The invitee " + req.state_key + " is not a user of " + origin);
  }
  if (core::server_name_of(req.sender) != own) {
    throw MatrixError(ErrCode::forbidden, "The inviter " + req.sender + " is not a user of " + own);
  }
  const std::string token = block["token"].get<std::string>();
  ctx.services.database.read([&](storage::ReadTx& tx) {
    open_room(tx, req.room_id, origin, false);
    if (!server_in_room(tx, req.room_id, own)) {
      throw MatrixError(ErrCode::forbidden, own + " is not in the room " + req.room_id);
    }
    const auto state = tx.rooms().current_state(req.room_id);
    const auto found = state.find({"m.room.third_party_invite", token});
    const auto event = found == state.end() ? std::nullopt : tx.events().get_row(found->second);
    if (!event) {
      throw MatrixError(ErrCode::forbidden, "The room has no third-party invite with this token");
    }
    if (event->sender != req.sender) {
      throw MatrixError(ErrCode::forbidden, "The third-party invite was made by " + event->sender);
    }
  });
  // The auth rules check the signed block against the third-party invite's keys.
  client_server::invite_remote_user_as(ctx, req.sender, req.room_id, req.state_key, req.content);
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::server_server
