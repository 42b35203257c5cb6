#include "api/client/remote_membership.hpp"

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/federation/room_identity.hpp"
#include "api/services.hpp"
#include "core/base64.hpp"
#include "core/event.hpp"
#include "core/identifiers.hpp"
#include "core/percent_encoding.hpp"
#include "federation/federation_client.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/federation_fanout.hpp"
#include "rooms/invite_state.hpp"

#include <cstdio>


namespace ranvier::api::client_server {
namespace {

using federation::FederationError;

/// The refusal of an invite by the invitee's server, for the inviting client.
MatrixError invite_refused(const FederationError& error, const std::string& server) {
  if (error.kind == FederationError::Kind::http) {
    if (error.errcode == "M_INCOMPATIBLE_ROOM_VERSION") {
      return MatrixError(ErrCode::incompatible_room_version, server + " does not support the room's version");
    }
    return MatrixError(ErrCode::forbidden, server + " refused the invite: " + error.message);
  }
  return MatrixError(ErrCode::internal, "The invitee's server " + server +
                                            " could not be reached: " + federation::describe(error));
}

/// True when the answer says the endpoint is unknown there (servers before the v2 invite API;
/// Synapse answers 404 or 400 with M_UNRECOGNIZED).
bool unrecognised(const FederationError& error) {
  return error.kind == FederationError::Kind::http && (error.status == 404 || error.status == 400) &&
         error.errcode == "M_UNRECOGNIZED";
}

/// Room versions 1 and 2 may still be invited to through the v1 API.
bool takes_v1_invites(const core::RoomVersion& version) {
  return version.id == "1" || version.id == "2";
}

/// PUT /v1/invite: the event itself is the body (the stripped state in its `unsigned`), and the
/// answer is [200, {"event": ...}]; the object is returned, as /v2/invite answers.
core::Expected<nlohmann::json, FederationError> invite_v1(federation::FederationClient& client,
                                                          const std::string& server, const std::string& path_end,
                                                          const nlohmann::json& pdu, const nlohmann::json& room_state) {
  nlohmann::json event = pdu;
  event["unsigned"]["invite_room_state"] = room_state;
  auto answer = client.put_any(server, "/_matrix/federation/v1/invite/" + path_end, event);
  if (!answer) {
    return answer;
  }
  if (!answer->is_array() || answer->size() != 2 || !(*answer)[1].is_object()) {
    return core::fail(FederationError{FederationError::Kind::bad_response, 200, "",
                                      "the v1 invite answer is not [200, {\"event\": ...}]"});
  }
  return std::move((*answer)[1]);
}

/// The event the invitee's server sent back, if it is ours with its signature added: the same
/// event apart from signatures, signed by `server`. Then ours with that signature merged in.
std::optional<nlohmann::json> countersigned(RequestContext& ctx, const rooms::VerifiedPdu& sent,
                                            const nlohmann::json& answer, const std::string& server) {
  const auto returned = answer.find("event");
  if (returned == answer.end() || !returned->is_object()) {
    return std::nullopt;
  }
  auto without_signatures = [](nlohmann::json event) {
    event.erase("signatures");
    event.erase("unsigned");
    return event;
  };
  if (without_signatures(*returned) != without_signatures(sent.pdu)) {
    return std::nullopt;
  }
  const auto sigs = returned->find("signatures");
  if (sigs == returned->end() || !sigs->is_object() || !sigs->contains(server) || !(*sigs)[server].is_object()) {
    return std::nullopt;
  }
  nlohmann::json merged = sent.pdu;
  merged["signatures"][server] = (*sigs)[server];
  server_server::KeyRingLookup keys(server_server::key_ring_of(ctx));
  const auto checks = rooms::received_signature_checks(ctx.services.pipeline.server_name(), *sent.version, keys);
  if (!checks.event_signed_by(merged, server)) {
    return std::nullopt;
  }
  return merged;
}

/// A membership change through a room's servers: make_<membership>, sign, send_<membership>.
struct SentMembership {
  SignedMembership event;
  nlohmann::json answer;
};

SentMembership send_through_room(RequestContext& ctx, const RemoteRoom& room, const std::string& user_id,
                                 const std::string& membership, const nlohmann::json& content,
                                 const std::string& send_prefix, bool offer_versions) {
  auto& client = federation_client_of(ctx);
  const auto servers = remote_candidates(room.servers, ctx.services.pipeline.server_name());
  if (servers.empty()) {
    throw MatrixError(ErrCode::not_found, "No server of the room " + room.room_id + " is known to ask for the " +
                                              membership);
  }
  const auto room_part = core::percent_encode(room.room_id) + "/";
  std::optional<MatrixError> failure;
  for (const auto& server : servers) {
    auto made = client.get(server, "/_matrix/federation/v1/make_" + membership + "/" + room_part +
                                       core::percent_encode(user_id) + (offer_versions ? supported_versions_query() : ""));
    if (!made) {
      failure = remote_refusal(made.error(), membership);
      if (failure->code() == ErrCode::incompatible_room_version) {
        throw *failure;
      }
      continue;
    }
    auto event = sign_membership_template(ctx, *made, room.room_id, user_id, membership, content);
    if (!event) {
      failure = MatrixError(ErrCode::not_found, server + " answered make_" + membership + " with an unusable template");
      continue;
    }
    auto sent = client.put(server, send_prefix + room_part + core::percent_encode(event->event_id), event->event);
    if (!sent) {
      failure = remote_refusal(sent.error(), membership);
      continue;
    }
    return {std::move(*event), std::move(*sent)};
  }
  throw failure.value_or(MatrixError(ErrCode::not_found, "No server of the room could be asked"));
}

/// Keeps a member event of ours that the room's servers accepted, out of band (see the header).
void store_out_of_band(RequestContext& ctx, const std::string& room_id, const SignedMembership& event,
                       const std::string& user_id, storage::Membership membership,
                       const nlohmann::json& unsigned_data) {
  rooms::VerifiedPdu pdu{.version = event.version, .event_id = event.event_id, .room_id = room_id, .pdu = event.event};
  if (!unsigned_data.empty()) {
    pdu.pdu["unsigned"] = unsigned_data;
  }
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.rooms().create(storage::Room{.room_id = room_id,
                                    .room_version = std::string(event.version->id),
                                    .created_ts = now_ms(),
                                    .creator = ""});
    // Its auth events are mostly unknown here: stored unchecked, as the room's server took it.
    auto stored = ctx.services.pipeline.store_outlier(tx, pdu, ctx.services.pipeline.local_signatures(), true);
    if (stored.status == rooms::ReceiveStatus::accepted || stored.status == rooms::ReceiveStatus::rejected) {
      tx.rooms().set_membership({room_id, user_id, membership, event.event_id, stored.stream});
    }
  });
}

/// A leave of this server's own making for an invite no server of the room would take back
/// (all unreachable), as Synapse makes one: it cites the invite alone and stays here, out of
/// band, so that the user is rid of the invite; the room's servers never hear of it.
std::optional<SignedMembership> local_leave(RequestContext& ctx, const std::string& room_id,
                                            const std::string& user_id, const nlohmann::json& content) {
  const core::RoomVersion* version = nullptr;
  const auto invite = ctx.services.database.read([&](storage::ReadTx& tx) -> std::optional<storage::StoredEvent> {
    auto member = tx.rooms().membership(room_id, user_id);
    auto room = tx.rooms().get(room_id);
    if (!member || member->membership != storage::Membership::invite || !room) {
      return std::nullopt;
    }
    version = core::find_room_version(room->room_version);
    return tx.events().get_row(member->event_id);
  });
  if (!invite || version == nullptr) {
    return std::nullopt;
  }
  nlohmann::json reference = invite->event_id;
  if (version->event_format == core::EventFormat::v1) {
    const auto pdu = nlohmann::json::parse(invite->json);
    reference = nlohmann::json::array(
        {invite->event_id, {{"sha256", core::base64_encode(core::as_bytes(core::reference_hash(pdu, *version)))}}});
  }
  nlohmann::json leave_content = content;
  leave_content["membership"] = "leave";
  nlohmann::json event = {{"type", "m.room.member"},   {"sender", user_id},
                          {"state_key", user_id},      {"room_id", room_id},
                          {"content", leave_content},  {"depth", invite->depth + 1},
                          {"prev_events", {reference}}, {"auth_events", {reference}}};
  return sign_as_own(ctx, *version, std::move(event));
}

}  // namespace

void invite_remote_user(RequestContext& ctx, const std::string& room_id, const std::string& invitee,
                        const nlohmann::json& content) {
  invite_remote_user_as(ctx, ctx.principal->user_id, room_id, invitee, content);
}

void invite_remote_user_as(RequestContext& ctx, const std::string& sender, const std::string& room_id,
                           const std::string& invitee, const nlohmann::json& content) {
  auto& client = federation_client_of(ctx);
  const std::string server(core::server_name_of(invitee));
  rooms::EventDraft draft{.type = "m.room.member",
                          .sender = sender,
                          .state_key = invitee,
                          .content = content};
  nlohmann::json room_state;
  // Built and checked in a transaction of its own: nothing of it stays but, at most, the state
  // group of a resolved frontier, which is harmless.
  auto invite = ctx.services.database.write([&](storage::WriteTx& tx) {
    auto built = ctx.services.pipeline.build_checked(tx, room_id, draft);
    room_state = server_server::recognisable_state(tx, room_id, *built.version);
    return built;
  });
  const nlohmann::json body = {
      {"event", invite.pdu}, {"room_version", invite.version->id}, {"invite_room_state", room_state}};
  const auto path_end = core::percent_encode(room_id) + "/" + core::percent_encode(invite.event_id);
  auto answer = client.put(server, "/_matrix/federation/v2/invite/" + path_end, body);
  if (!answer && unrecognised(answer.error()) && takes_v1_invites(*invite.version)) {
    answer = invite_v1(client, server, path_end, invite.pdu, room_state);
  }
  if (!answer) {
    throw invite_refused(answer.error(), server);
  }
  auto signed_event = countersigned(ctx, invite, *answer, server);
  if (!signed_event) {
    throw MatrixError(ErrCode::forbidden, server + " answered the invite with an event that is not ours countersigned");
  }
  invite.pdu = std::move(*signed_event);
  server_server::KeyRingLookup keys(server_server::key_ring_of(ctx));
  const auto& own = ctx.services.pipeline.server_name();
  const auto checks = rooms::received_signature_checks(own, *invite.version, keys);
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    // The room may have moved on since the invite was built: `receive` judges it where it sits.
    auto result = ctx.services.pipeline.receive(tx, invite, checks);
    if (result.status != rooms::ReceiveStatus::accepted && result.status != rooms::ReceiveStatus::already_known) {
      throw MatrixError(ErrCode::forbidden, "The invite no longer passes the room's rules: " + result.reason);
    }
    if (result.status == rooms::ReceiveStatus::accepted) {
      rooms::queue_for_room_servers(tx, invite.pdu, own);
    }
  });
}

bool known_out_of_band(storage::ReadTx& tx, const std::string& room_id) {
  return tx.rooms().forward_extremities(room_id).empty();
}

std::vector<std::string> out_of_band_servers(storage::ReadTx& tx, const std::string& room_id,
                                             const std::string& user_id) {
  std::vector<std::string> servers;
  if (auto member = tx.rooms().membership(room_id, user_id)) {
    if (auto event = tx.events().get_row(member->event_id)) {
      if (event->sender != user_id) {
        servers.emplace_back(core::server_name_of(event->sender));
      }
      for (const auto& stripped : rooms::invite_room_state(*event)) {
        if (stripped.contains("sender") && stripped["sender"].is_string()) {
          servers.emplace_back(core::server_name_of(stripped["sender"].get<std::string>()));
        }
      }
    }
  }
  if (const auto colon = room_id.find(':'); colon != std::string::npos) {
    servers.push_back(room_id.substr(colon + 1));
  }
  return servers;
}

void leave_remote_room(RequestContext& ctx, const RemoteRoom& room, const std::string& user_id,
                       const std::optional<std::string>& reason) {
  nlohmann::json content = nlohmann::json::object();
  if (reason) {
    content["reason"] = *reason;
  }
  try {
    auto sent = send_through_room(ctx, room, user_id, "leave", content, "/_matrix/federation/v2/send_leave/", false);
    store_out_of_band(ctx, room.room_id, sent.event, user_id, storage::Membership::leave, nlohmann::json::object());
  } catch (const MatrixError& e) {
    // Refused (403) stays refused; no answer at all still lets the user decline an invite.
    auto own_leave = e.code() == ErrCode::not_found ? local_leave(ctx, room.room_id, user_id, content) : std::nullopt;
    if (!own_leave) {
      throw;
    }
    std::fprintf(stderr, "ranvier: no server of %s took %s's leave (%s); the invite is rejected here only\n",
                 room.room_id.c_str(), user_id.c_str(), e.what());
    store_out_of_band(ctx, room.room_id, *own_leave, user_id, storage::Membership::leave, nlohmann::json::object());
  }
}

void knock_remote_room(RequestContext& ctx, const RemoteRoom& room, const std::string& user_id,
                       const nlohmann::json& member_content) {
  auto sent =
      send_through_room(ctx, room, user_id, "knock", member_content, "/_matrix/federation/v1/send_knock/", true);
  nlohmann::json kept = nlohmann::json::object();
  if (const auto state = sent.answer.find("knock_room_state"); state != sent.answer.end() && state->is_array()) {
    kept["knock_room_state"] = *state;
  }
  store_out_of_band(ctx, room.room_id, sent.event, user_id, storage::Membership::knock, kept);
}

}  // namespace ranvier::api::client_server
