// Joining, leaving, knocking and inviting across servers (server-server API, "Joining Rooms",
// "Leaving Rooms", "Knocking upon a room", "Inviting to a room"):
// GET /make_join, /make_leave, /make_knock; PUT /v2/send_join, /v2/send_leave, /send_knock
// (invites: invites.cpp). https://spec.matrix.org/latest/server-server-api/#joining-rooms

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/federation/room_identity.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "rooms/federation_fanout.hpp"
#include "core/auth/power_levels.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/state_content.hpp"

#include <algorithm>

namespace ranvier::api::server_server {
namespace {

using client_server::write_and_notify;

/// The user must belong to the server that signed the request.
void check_user_of_origin(const std::string& user_id, std::string_view origin) {
  auto parsed = core::parse_user_id(user_id);
  if (!parsed) {
    throw MatrixError(ErrCode::invalid_param, "Not a valid user ID: " + user_id);
  }
  if (parsed->server_name != origin) {
    throw MatrixError(ErrCode::forbidden, user_id + " does not belong to " + std::string(origin));
  }
}

/// make_join and make_knock: the room's version must be one the requesting server listed in
/// `ver` (version 1 when it listed none).
void check_version_offered(const core::RoomVersion& version, const std::vector<std::string>& ver) {
  const bool offered = ver.empty() ? version.id == "1" : std::find(ver.begin(), ver.end(), version.id) != ver.end();
  if (!offered) {
    throw MatrixError(ErrCode::incompatible_room_version,
                      "The room is of version " + std::string(version.id) + ", which the server did not offer",
                      nlohmann::json{{"room_version", version.id}});
  }
}

/// Restricted rooms (client-server API, "Restricted rooms"; room versions 8+): a user who is
/// neither invited nor joined may join when they are in one of the rooms the join rule allows,
/// vouched for by a resident user who may invite (`join_authorised_via_users_server`). This
/// server vouches with one of its own users when it can see the condition met: the user is
/// joined to an allowed room it knows. nullopt when the room is not restricted or no voucher
/// is needed; M_FORBIDDEN when no allowed room has the user.
std::optional<std::string> authorising_user(RequestContext& ctx, storage::ReadTx& tx, const std::string& room_id,
                                            const core::RoomVersion& version, const std::string& user_id) {
  auto rule_id = tx.rooms().current_state_event(room_id, {"m.room.join_rules", ""});
  auto rule_row = rule_id ? tx.events().get_row(*rule_id) : std::nullopt;
  auto rule = rule_row ? nlohmann::json::parse(rule_row->json, nullptr, false) : nlohmann::json();
  const auto content = rule.is_object() ? rule.value("content", nlohmann::json::object()) : nlohmann::json::object();
  const auto join_rule = content.value("join_rule", "");
  if (!version.restricted_joins || (join_rule != "restricted" && join_rule != "knock_restricted")) {
    return std::nullopt;
  }
  if (auto member = tx.rooms().membership(room_id, user_id);
      member && (member->membership == storage::Membership::invite || member->membership == storage::Membership::join)) {
    return std::nullopt;
  }
  bool allowed = false;
  for (const auto& entry : content.value("allow", nlohmann::json::array())) {
    if (entry.is_object() && entry.value("type", "") == "m.room_membership" && entry.contains("room_id") &&
        entry["room_id"].is_string()) {
      auto there = tx.rooms().membership(entry["room_id"].get<std::string>(), user_id);
      allowed = allowed || (there && there->membership == storage::Membership::join);
    }
  }
  if (!allowed) {
    throw MatrixError(ErrCode::forbidden, user_id + " is not in any room the join rule of " + room_id + " allows");
  }
  rooms::TxEventSource events(tx);
  auto levels = rooms::current_power_levels(tx, events, room_id, version);
  const auto& own = ctx.services.identity.server_name;
  for (const auto& member : tx.rooms().members(room_id, storage::Membership::join)) {
    if (core::server_name_of(member.user_id) == own && levels &&
        levels->user_level(member.user_id) >= levels->named_level("invite")) {
      return member.user_id;
    }
  }
  throw MatrixError(ErrCode::forbidden, "No user of " + own + " may invite to " + room_id);
}

ApiResponse make_membership(RequestContext& ctx, const std::string& room_id, const std::string& user_id,
                            const std::string& membership, const std::vector<std::string>* ver) {
  const auto& origin = origin_of(ctx);
  check_user_of_origin(user_id, origin);
  std::optional<std::string> authoriser;
  const auto& version = ctx.services.database.read([&](storage::ReadTx& tx) -> const core::RoomVersion* {
    const auto* found = &open_room(tx, room_id, origin, false);
    if (ver != nullptr) {
      check_version_offered(*found, *ver);
    }
    if (membership == "join") {
      authoriser = authorising_user(ctx, tx, room_id, *found, user_id);
    }
    return found;
  });
  rooms::EventDraft draft{.type = "m.room.member",
                          .sender = user_id,
                          .state_key = user_id,
                          .content = {{"membership", membership}}};
  if (authoriser) {
    draft.content["join_authorised_via_users_server"] = *authoriser;
  }
  auto event = ctx.services.database.write(
      [&](storage::WriteTx& tx) { return ctx.services.pipeline.prepare(tx, room_id, draft); });
  event["origin"] = origin;
  return json_response({{"event", std::move(event)}, {"room_version", version->id}});
}

/// The checks every send_* body needs: a member event of a user of the origin about themself,
/// with the expected membership, in this room.
void check_membership_event(const nlohmann::json& event, const std::string& room_id, std::string_view origin,
                            const std::string& membership) {
  auto string_at = [&](const char* key) {
    auto it = event.find(key);
    return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto sender = string_at("sender");
  if (string_at("type") != "m.room.member" || string_at("state_key") != sender) {
    throw MatrixError(ErrCode::bad_json, "Expected an m.room.member event about its sender");
  }
  check_user_of_origin(sender, origin);
  const auto& content = event.contains("content") ? event["content"] : nlohmann::json();
  if (!content.is_object() || content.value("membership", "") != membership) {
    throw MatrixError(ErrCode::bad_json, "Expected membership " + membership);
  }
  if (event.contains("room_id") && string_at("room_id") != room_id) {
    throw MatrixError(ErrCode::bad_json, "The event is for another room");
  }
}

/// Runs a signed member event from the origin through the receive path and answers with
/// `answer(tx, version, event_id)` from the same transaction.
template <class Answer>
nlohmann::json send_membership(RequestContext& ctx, const std::string& room_id, const std::string& event_id,
                               const nlohmann::json& event, const std::string& membership, Answer&& answer) {
  const auto& origin = origin_of(ctx);
  check_membership_event(event, room_id, origin, membership);
  const auto* version = ctx.services.database.read(
      [&](storage::ReadTx& tx) -> const core::RoomVersion* { return &open_room(tx, room_id, origin, false); });
  // A restricted join this server vouches for carries its signature from here on.
  nlohmann::json signed_event = event;
  const auto& own = ctx.services.identity.server_name;
  const auto& content = event["content"];
  if (version->restricted_joins && content.contains("join_authorised_via_users_server") &&
      content["join_authorised_via_users_server"].is_string() &&
      core::server_name_of(content["join_authorised_via_users_server"].get<std::string>()) == own) {
    add_event_signature(signed_event, *version, ctx.services.identity);
  }
  auto verified = verify_request_event(ctx, signed_event, *version, event_id);
  KeyRingLookup keys(key_ring_of(ctx));
  const auto checks = rooms::received_signature_checks(own, *version, keys);
  return write_and_notify(ctx, [&](storage::WriteTx& tx) {
    auto result = ctx.services.pipeline.receive(tx, verified, checks);
    switch (result.status) {
      case rooms::ReceiveStatus::accepted:
        // The resident server tells the room's other servers (the origin knows already).
        rooms::queue_for_room_servers(tx, verified.pdu, ctx.services.identity.server_name, origin);
        break;
      case rooms::ReceiveStatus::already_known:
        break;
      case rooms::ReceiveStatus::unknown_room:
        throw MatrixError(ErrCode::not_found, result.reason);
      case rooms::ReceiveStatus::missing_auth_events:
      case rooms::ReceiveStatus::missing_prev_events:
        throw MatrixError(ErrCode::bad_json, result.reason + " (ask make_" + membership + " again)");
      default:
        throw MatrixError(ErrCode::forbidden, "The " + membership + " was refused: " + result.reason);
    }
    auto body = answer(tx, *version, event_id);
    if (body.is_object() && signed_event != event) {
      body["event"] = verified.pdu;
    }
    return body;
  });
}

}  // namespace

ApiResponse makeJoin(RequestContext& ctx, const MakeJoinRequest& req) {
  return make_membership(ctx, req.room_id, req.user_id, "join", &req.ver);
}

ApiResponse makeLeave(RequestContext& ctx, const MakeLeaveRequest& req) {
  return make_membership(ctx, req.room_id, req.user_id, "leave", nullptr);
}

ApiResponse makeKnock(RequestContext& ctx, const MakeKnockRequest& req) {
  return make_membership(ctx, req.room_id, req.user_id, "knock", &req.ver);
}

ApiResponse sendJoinV2(RequestContext& ctx, const SendJoinV2Request& req) {
  auto body = send_membership(
      ctx, req.room_id, req.event_id, req.body, "join",
      [&](storage::WriteTx& tx, const core::RoomVersion& version, const std::string& event_id) {
        auto join = tx.events().get(event_id);
        std::vector<std::string> state;
        for (const auto& [key, id] : state_before(tx, *join)) {
          state.push_back(id);
        }
        auto with_join = state;
        with_join.push_back(event_id);
        return nlohmann::json{{"origin", ctx.services.identity.server_name},
                              {"state", federation_pdus(tx, state, version)},
                              {"auth_chain", federation_pdus(tx, tx.events().auth_chain(with_join), version)},
                              {"members_omitted", false}};
      });
  return json_response(body);
}

ApiResponse sendLeaveV2(RequestContext& ctx, const SendLeaveV2Request& req) {
  send_membership(ctx, req.room_id, req.event_id, req.body, "leave",
                  [](storage::WriteTx&, const core::RoomVersion&, const std::string&) { return nlohmann::json(); });
  return json_response(nlohmann::json::object());
}

ApiResponse sendKnock(RequestContext& ctx, const SendKnockRequest& req) {
  auto body = send_membership(ctx, req.room_id, req.event_id, req.body, "knock",
                              [&](storage::WriteTx& tx, const core::RoomVersion& version, const std::string&) {
                                return nlohmann::json{
                                    {"knock_room_state", recognisable_state(tx, req.room_id, version)}};
                              });
  return json_response(body);
}

}  // namespace ranvier::api::server_server
