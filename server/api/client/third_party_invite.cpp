// POST /_matrix/client/v3/rooms/{roomId}/invite with a third-party identifier (client-server
// API, "Invite by third-party ID", operation inviteBy3PID): the address is looked up at the
// client's identity server; bound to a Matrix ID, that user is invited as usual; bound to
// nobody, the identity server stores the invite and the room gets an m.room.third_party_invite
// state event (state key: the invite's token) with its display name and public keys, which the
// invited user's server later exchanges for an m.room.member invite once the address is bound.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "federation/identity_client.hpp"
#include "rooms/event_pipeline.hpp"

namespace ranvier::api::client_server {
namespace {

/// The identity server's refusal or silence, for the client.
MatrixError identity_failure(const federation::IdentityError& error) {
  if (error.status == 401 || error.status == 403) {
    return MatrixError(ErrCode::forbidden, "The identity server refused the request: " + error.message);
  }
  return MatrixError(ErrCode::bad_gateway, "The identity server gave no usable answer: " + error.message);
}

/// What the identity server may show the invitee (store-invite's optional fields): the room's
/// name, canonical alias, avatar and join rule, and the sender's display name and avatar.
nlohmann::json invite_details(RequestContext& ctx, const InviteBy3PIDRequest& req, const std::string& sender) {
  nlohmann::json details = {
      {"medium", req.medium}, {"address", req.address}, {"room_id", req.room_id}, {"sender", sender}};
  ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto state = tx.rooms().current_state(req.room_id);
    auto content_of = [&](const char* type, const std::string& key) -> nlohmann::json {
      const auto found = state.find({type, key});
      if (found == state.end()) {
        return nlohmann::json::object();
      }
      const auto event = tx.events().get_row(found->second);
      return event ? nlohmann::json::parse(event->json).value("content", nlohmann::json::object())
                   : nlohmann::json::object();
    };
    auto copy = [&](const nlohmann::json& content, const char* from, const char* to) {
      if (content.is_object() && content.contains(from) && content[from].is_string()) {
        details[to] = content[from];
      }
    };
    copy(content_of("m.room.name", ""), "name", "room_name");
    copy(content_of("m.room.canonical_alias", ""), "alias", "room_alias");
    copy(content_of("m.room.avatar", ""), "url", "room_avatar_url");
    copy(content_of("m.room.join_rules", ""), "join_rule", "room_join_rules");
    const auto member = content_of("m.room.member", sender);
    copy(member, "displayname", "sender_display_name");
    copy(member, "avatar_url", "sender_avatar_url");
  });
  return details;
}

}  // namespace

ApiResponse inviteBy3PID(RequestContext& ctx, const InviteBy3PIDRequest& req) {
  const auto& sender = ctx.principal->user_id;
  ctx.services.database.read([&](storage::ReadTx& tx) {
    room_version(tx, req.room_id);
    require_joined(tx, req.room_id, sender);
  });
  if (ctx.services.identity_client == nullptr) {
    throw MatrixError(ErrCode::internal, "This server does not talk to identity servers");
  }
  federation::IdentityClient identity(*ctx.services.identity_client);
  auto bound = identity.lookup(req.id_server, req.id_access_token, req.medium, req.address);
  if (!bound) {
    throw identity_failure(bound.error());
  }
  if (*bound) {
    return inviteUser(ctx, InviteUserRequest{.room_id = req.room_id, .user_id = **bound});
  }
  auto stored = identity.store_invite(req.id_server, req.id_access_token, invite_details(ctx, req, sender));
  if (!stored) {
    throw identity_failure(stored.error());
  }
  const auto& first_key = stored->public_keys.at(0);
  rooms::EventDraft draft{.type = "m.room.third_party_invite",
                          .sender = sender,
                          .state_key = stored->token,
                          .content = {{"display_name", stored->display_name},
                                      {"key_validity_url", first_key["key_validity_url"]},
                                      {"public_key", first_key["public_key"]},
                                      {"public_keys", stored->public_keys}}};
  write_and_notify(ctx, [&](storage::WriteTx& tx) { return ctx.services.pipeline.send(tx, req.room_id, draft); });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
