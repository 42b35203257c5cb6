// Invites of this server's users by other servers (server-server API, "Inviting to a room"):
// PUT /v2/invite/{roomId}/{eventId} (any room version, the event wrapped with the room version
// and the room's stripped state) and PUT /v1/invite/{roomId}/{eventId} (room versions 1 and 2
// only: the body is the event itself, the answer the array [200, {"event": ...}]).
// https://spec.matrix.org/latest/server-server-api/#inviting-to-a-room

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "rooms/event_pipeline.hpp"

namespace ranvier::api::server_server {
namespace {

using client_server::write_and_notify;

MatrixError unsupported_version(const std::string& version) {
  return MatrixError(ErrCode::incompatible_room_version, "This server does not support room version " + version,
                     nlohmann::json{{"room_version", version}});
}

/// Checks an invite of one of this server's users sent by `origin`, countersigns it and, when
/// this server is not in the room, keeps it as an outlier with the invitee's membership so that
/// /sync shows it (when it is in the room, the invite comes again through /send like every
/// event of the room). Returns the event with this server's signature added.
nlohmann::json accept_invite(RequestContext& ctx, const std::string& room_id, const std::string& event_id,
                             const nlohmann::json& event, const core::RoomVersion& version,
                             const nlohmann::json* invite_room_state) {
  const auto& origin = origin_of(ctx);
  if (!event.is_object() || event.value("type", "") != "m.room.member" || !event.contains("content") ||
      !event["content"].is_object() || event["content"].value("membership", "") != "invite" ||
      event.value("room_id", "") != room_id) {
    // The spec asks for M_INVALID_PARAM here ("Servers MUST apply certain validation").
    throw MatrixError(ErrCode::invalid_param, "Expected an m.room.member invite for the room " + room_id);
  }
  const std::string sender = event.value("sender", "");
  auto parsed_sender = core::parse_user_id(sender);
  if (!parsed_sender) {
    throw MatrixError(ErrCode::invalid_param, "Not a valid user ID: " + sender);
  }
  // The spec's list of invites a server must refuse (M_INVALID_PARAM, not M_FORBIDDEN, which
  // it keeps for invites that are well-formed but not allowed) names both of these.
  if (parsed_sender->server_name != origin) {
    throw MatrixError(ErrCode::invalid_param, sender + " does not belong to " + origin);
  }
  const std::string invitee = event.value("state_key", "");
  const auto& own = ctx.services.identity.server_name;
  auto parsed = core::parse_user_id(invitee);
  if (!parsed || parsed->server_name != own) {
    throw MatrixError(ErrCode::invalid_param, "The invitee " + invitee + " is not a user of " + own);
  }
  const bool in_room = ctx.services.database.read([&](storage::ReadTx& tx) {
    if (!tx.accounts().get(invitee)) {
      throw MatrixError(ErrCode::not_found, "No user " + invitee + " here");
    }
    if (tx.rooms().get(room_id)) {
      check_server_acl(tx, room_id, origin);
    }
    return !tx.rooms().forward_extremities(room_id).empty() && server_in_room(tx, room_id, own);
  });
  auto verified = verify_request_event(ctx, event, version, event_id);
  add_event_signature(verified.pdu, version, ctx.services.identity);
  auto signed_event = verified.pdu;
  if (!in_room) {
    if (invite_room_state != nullptr && invite_room_state->is_array()) {
      verified.pdu["unsigned"]["invite_room_state"] = *invite_room_state;
    }
    KeyRingLookup keys(key_ring_of(ctx));
    const auto checks = rooms::received_signature_checks(own, version, keys);
    write_and_notify(ctx, [&](storage::WriteTx& tx) {
      tx.rooms().create(storage::Room{
          .room_id = room_id, .room_version = std::string(version.id), .created_ts = now_ms(), .creator = sender});
      auto result = ctx.services.pipeline.store_outlier(tx, verified, checks, true);
      if (result.status == rooms::ReceiveStatus::rejected) {
        throw MatrixError(ErrCode::forbidden, "The invite was refused: " + result.reason);
      }
      if (result.status == rooms::ReceiveStatus::accepted) {
        tx.rooms().set_membership({room_id, invitee, storage::Membership::invite, verified.event_id, result.stream});
      }
    });
  }
  return signed_event;
}

/// The room version a v1 invite is for: "1" or "2", the only versions the v1 API knows. The
/// room's own version when this server knows the room; otherwise the version named by the
/// create event among the stripped state (absent: "1"), as the inviting server describes it.
const core::RoomVersion& v1_invite_version(RequestContext& ctx, const std::string& room_id,
                                           const nlohmann::json* invite_room_state) {
  std::string id = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto room = tx.rooms().get(room_id);
    return room ? room->room_version : std::string();
  });
  if (id.empty()) {
    id = "1";
    if (invite_room_state != nullptr && invite_room_state->is_array()) {
      for (const auto& stripped : *invite_room_state) {
        if (stripped.is_object() && stripped.value("type", "") == "m.room.create" && stripped.contains("content") &&
            stripped["content"].is_object()) {
          const auto& named = stripped["content"].value("room_version", nlohmann::json("1"));
          id = named.is_string() ? named.get<std::string>() : std::string("?");
        }
      }
    }
  }
  const auto* version = core::find_room_version(id);
  if (version == nullptr || (id != "1" && id != "2")) {
    throw unsupported_version(id);
  }
  return *version;
}

}  // namespace

ApiResponse sendInviteV2(RequestContext& ctx, const SendInviteV2Request& req) {
  const auto* version = core::find_room_version(req.room_version);
  if (version == nullptr) {
    throw unsupported_version(req.room_version);
  }
  const nlohmann::json* stripped = req.invite_room_state ? &*req.invite_room_state : nullptr;
  return json_response({{"event", accept_invite(ctx, req.room_id, req.event_id, req.event, *version, stripped)}});
}

ApiResponse sendInviteV1(RequestContext& ctx, const SendInviteV1Request& req) {
  const nlohmann::json* stripped = nullptr;
  if (req.unsigned_ && req.unsigned_->is_object() && req.unsigned_->contains("invite_room_state")) {
    stripped = &(*req.unsigned_)["invite_room_state"];
  }
  const auto& version = v1_invite_version(ctx, req.room_id, stripped);
  auto signed_event = accept_invite(ctx, req.room_id, req.event_id, req.body, version, stripped);
  return json_response(nlohmann::json::array({200, {{"event", std::move(signed_event)}}}));
}

}  // namespace ranvier::api::server_server
