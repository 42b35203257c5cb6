// PUT /_matrix/federation/v1/exchange_third_party_invite/{roomId} (server-server API,
// "Third-party invites"): the invitee's server, told by an identity server that the address of
// an m.room.third_party_invite is now bound to one of its users, asks the room's server to turn
// it into an m.room.member invite. The invite is made here in the name of the user who invited
// the address, carrying the identity server's signed block; the room's auth rules check that
// block against the public keys of the third-party invite event, and the invitee's server
// countersigns the invite as for any invite of its users.
//
// PUT /_matrix/federation/v1/3pid/onbind: an identity server tells this server that an address
// is now bound to one of its users, listing the invites stored for it. Each is exchanged: here
// when the inviter is a user of this server, else through the inviter's server.

#include "api/client/remote_membership.hpp"
#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "core/percent_encoding.hpp"
#include "federation/federation_client.hpp"
#include "rooms/event_pipeline.hpp"

#include <cstdio>

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

/// The display name the room's m.room.third_party_invite gave the address, when this server
/// knows the room; else the address itself.
std::string invite_display_name(RequestContext& ctx, const std::string& room_id, const std::string& token,
                                const std::string& address) {
  return ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto state = tx.rooms().current_state(room_id);
    const auto found = state.find({"m.room.third_party_invite", token});
    if (found != state.end()) {
      if (auto event = tx.events().get_row(found->second)) {
        const auto content = nlohmann::json::parse(event->json).value("content", nlohmann::json::object());
        if (content.contains("display_name") && content["display_name"].is_string()) {
          return content["display_name"].get<std::string>();
        }
      }
    }
    return address;
  });
}

/// One invite of an onbind call exchanged for an m.room.member invite; throws on refusal.
void exchange_invite(RequestContext& ctx, const std::string& mxid, const nlohmann::json& invite) {
  if (!invite.is_object() || !invite.contains("room_id") || !invite["room_id"].is_string() ||
      !invite.contains("sender") || !invite["sender"].is_string() || invite.value("mxid", "") != mxid ||
      !invite.contains("signed") || !invite["signed"].is_object()) {
    throw MatrixError(ErrCode::invalid_param, "An invite needs room_id, sender, mxid and signed");
  }
  const auto room_id = invite["room_id"].get<std::string>();
  const auto sender = invite["sender"].get<std::string>();
  nlohmann::json wrapped = nlohmann::json::object();
  wrapped["third_party_invite"]["signed"] = invite["signed"];
  const nlohmann::json block = signed_block(wrapped);
  const auto name = invite_display_name(ctx, room_id, block.value("token", ""), invite.value("address", ""));
  const nlohmann::json content = {{"membership", "invite"},
                                  {"third_party_invite", {{"display_name", name}, {"signed", block}}}};
  const std::string sender_server(core::server_name_of(sender));
  if (sender_server == ctx.services.identity.server_name) {
    // The auth rules check the signed block against the room's third-party invite.
    rooms::EventDraft draft{.type = "m.room.member", .sender = sender, .state_key = mxid, .content = content};
    client_server::write_and_notify(
        ctx, [&](storage::WriteTx& tx) { return ctx.services.pipeline.send(tx, room_id, draft); });
    return;
  }
  if (ctx.services.federation_client == nullptr) {
    throw MatrixError(ErrCode::internal, "Federation is not available");
  }
  const nlohmann::json body = {
      {"type", "m.room.member"}, {"room_id", room_id}, {"sender", sender}, {"state_key", mxid}, {"content", content}};
  auto answer = ctx.services.federation_client->put(
      sender_server, "/_matrix/federation/v1/exchange_third_party_invite/" + core::percent_encode(room_id), body);
  if (!answer) {
    throw MatrixError(ErrCode::bad_gateway, sender_server + " refused the exchange: " +
                                                federation::describe(answer.error()));
  }
}

}  // namespace

ApiResponse onBindThirdPartyIdentifier(RequestContext& ctx, const OnBindThirdPartyIdentifierRequest& req) {
  const auto& own = ctx.services.identity.server_name;
  if (core::server_name_of(req.mxid) != own) {
    throw MatrixError(ErrCode::forbidden, req.mxid + " is not a user of " + own);
  }
  if (!req.invites.is_array()) {
    throw MatrixError(ErrCode::bad_json, "invites must be an array");
  }
  // Each invite on its own: one the room refuses (a bad signature, a revoked invite) does not
  // stop the others, and the identity server has nothing to retry.
  for (const auto& invite : req.invites) {
    try {
      exchange_invite(ctx, req.mxid, invite);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ranvier: 3pid onbind for %s: %s\n", req.mxid.c_str(), e.what());
    }
  }
  return json_response(nlohmann::json::object());
}

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
