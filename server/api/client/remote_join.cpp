#include "api/client/remote_join.hpp"

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/federation/outliers.hpp"
#include "api/services.hpp"
#include "core/event.hpp"
#include "core/percent_encoding.hpp"
#include "core/room_version.hpp"
#include "federation/federation_client.hpp"
#include "federation/key_ring.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/opaque_id.hpp"
#include "rooms/received_event.hpp"

#include <set>

namespace ranvier::api::client_server {
federation::FederationClient& federation_client_of(RequestContext& ctx) {
  if (ctx.services.federation_client == nullptr) {
    throw MatrixError(ErrCode::not_found, "This server does not federate, so it cannot reach rooms elsewhere");
  }
  return *ctx.services.federation_client;
}

MatrixError remote_refusal(const federation::FederationError& error, std::string_view what) {
  using federation::FederationError;
  if (error.kind == FederationError::Kind::http && error.errcode == "M_INCOMPATIBLE_ROOM_VERSION") {
    return MatrixError(ErrCode::incompatible_room_version, "The room's version is not one this server supports");
  }
  if (error.kind == FederationError::Kind::http && error.status == 403) {
    return MatrixError(ErrCode::forbidden, "The room's server refused the " + std::string(what) + ": " + error.message);
  }
  return MatrixError(ErrCode::not_found, "No server of the room could be reached: " + federation::describe(error));
}

std::string supported_versions_query() {
  std::string query;
  for (const auto& version : core::known_room_versions()) {
    query += (query.empty() ? "?ver=" : "&ver=") + core::percent_encode(version.id);
  }
  return query;
}

std::vector<std::string> remote_candidates(const std::vector<std::string>& servers, const std::string& own) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& server : servers) {
    if (!server.empty() && server != own && seen.insert(server).second) {
      out.push_back(server);
    }
  }
  return out;
}

std::optional<SignedMembership> sign_membership_template(RequestContext& ctx, const nlohmann::json& answer,
                                                         const std::string& room_id, const std::string& user_id,
                                                         const std::string& membership,
                                                         const nlohmann::json& member_content) {
  const auto* version = core::find_room_version(answer.value("room_version", std::string("1")));
  const auto it = answer.find("event");
  if (version == nullptr || it == answer.end() || !it->is_object()) {
    return std::nullopt;
  }
  nlohmann::json event = *it;
  if (event.value("type", "") != "m.room.member" || event.value("sender", "") != user_id ||
      event.value("state_key", "") != user_id || event.value("room_id", "") != room_id ||
      !event.contains("content") || !event["content"].is_object() ||
      event["content"].value("membership", "") != membership) {
    return std::nullopt;
  }
  for (const char* field : {"event_id", "hashes", "signatures", "unsigned"}) {
    event.erase(field);
  }
  auto content = event["content"];
  for (const auto& [key, value] : member_content.items()) {
    if (key != "membership" && key != "join_authorised_via_users_server") {
      content[key] = value;
    }
  }
  event["content"] = std::move(content);
  return sign_as_own(ctx, *version, std::move(event));
}

SignedMembership sign_as_own(RequestContext& ctx, const core::RoomVersion& version, nlohmann::json event) {
  const auto& own = ctx.services.pipeline.server_name();
  event["origin"] = own;
  event["origin_server_ts"] = now_ms();
  SignedMembership signed_event{&version, "", std::move(event)};
  if (version.event_format == core::EventFormat::v1) {
    signed_event.event_id = "$" + rooms::opaque_id(18) + ":" + own;
    signed_event.event["event_id"] = signed_event.event_id;
  }
  core::sign_event(signed_event.event, version, own, ctx.services.pipeline.signing_key());
  if (version.event_format != core::EventFormat::v1) {
    signed_event.event_id = core::event_id_of(signed_event.event, version).value_or("");
  }
  return signed_event;
}

RemoteRoom resolve_remote_alias(RequestContext& ctx, const std::string& alias) {
  const auto colon = alias.find(':');
  const std::string server = colon == std::string::npos ? std::string() : alias.substr(colon + 1);
  if (server.empty() || server == ctx.services.pipeline.server_name()) {
    throw MatrixError(ErrCode::not_found, "Unknown room alias " + alias);
  }
  auto answer = federation_client_of(ctx).get(server, "/_matrix/federation/v1/query/directory?room_alias=" +
                                               core::percent_encode(alias));
  if (!answer || !(*answer)["room_id"].is_string()) {
    throw MatrixError(ErrCode::not_found, "The room alias " + alias + " could not be resolved");
  }
  RemoteRoom room{(*answer)["room_id"].get<std::string>(), {}};
  if (const auto servers = answer->find("servers"); servers != answer->end() && servers->is_array()) {
    for (const auto& s : *servers) {
      if (s.is_string()) {
        room.servers.push_back(s.get<std::string>());
      }
    }
  }
  room.servers.push_back(server);
  return room;
}

void join_remote_room(RequestContext& ctx, const RemoteRoom& room, const std::string& user_id,
                      const nlohmann::json& member_content) {
  auto& client = federation_client_of(ctx);
  auto& ring = server_server::key_ring_of(ctx);
  const auto& own = ctx.services.pipeline.server_name();
  const auto servers = remote_candidates(room.servers, own);
  if (servers.empty()) {
    throw MatrixError(ErrCode::not_found, "This server is not in the room " + room.room_id +
                                              " and was given no server to join it through");
  }
  std::optional<MatrixError> failure;
  for (const auto& server : servers) {
    auto made = client.get(server, "/_matrix/federation/v1/make_join/" + core::percent_encode(room.room_id) + "/" +
                                       core::percent_encode(user_id) + supported_versions_query());
    if (!made) {
      failure = remote_refusal(made.error(), "join");
      if (failure->code() == ErrCode::incompatible_room_version) {
        throw *failure;
      }
      continue;
    }
    auto join = sign_membership_template(ctx, *made, room.room_id, user_id, "join", member_content);
    if (!join) {
      failure = MatrixError(ErrCode::not_found, server + " answered make_join with an unusable template");
      continue;
    }
    auto sent = client.put(server, "/_matrix/federation/v2/send_join/" + core::percent_encode(room.room_id) + "/" +
                                       core::percent_encode(join->event_id), join->event);
    if (!sent) {
      failure = remote_refusal(sent.error(), "join");
      continue;
    }
    const auto& version = *join->version;
    // The resident may return the join with its own signature added (restricted joins).
    nlohmann::json join_event = join->event;
    if (const auto returned = sent->find("event"); returned != sent->end() && returned->is_object() &&
        core::event_id_of(*returned, version).value_or(returned->value("event_id", "")) == join->event_id) {
      join_event = *returned;
    }
    const auto* state = sent->contains("state") ? &(*sent)["state"] : nullptr;
    const auto* auth_chain = sent->contains("auth_chain") ? &(*sent)["auth_chain"] : nullptr;
    auto outliers = server_server::verify_room_pdus(ring, server_server::pdus_in({auth_chain, state}), version,
                                                    room.room_id);
    std::vector<std::string> state_ids;
    for (const auto* pdu : server_server::pdus_in({state})) {
      // Listed even when it did not verify: the join then fails as lacking that state event.
      state_ids.push_back(core::event_id_of(*pdu, version).value_or(pdu->value("event_id", "")));
    }
    server_server::KeyRingLookup keys(ring);
    auto checked_join = rooms::verify_received(join_event, version, keys);
    if (!checked_join.verified) {
      failure = MatrixError(ErrCode::forbidden, "The join event did not verify: " + checked_join.reason);
      continue;
    }
    const auto signatures = rooms::received_signature_checks(own, version, keys);
    write_and_notify(ctx, [&](storage::WriteTx& tx) {
      auto joined = ctx.services.pipeline.join_from_state(tx, *checked_join.verified, state_ids, outliers, signatures);
      if (joined.status != rooms::ReceiveStatus::accepted && joined.status != rooms::ReceiveStatus::already_known) {
        // Nothing of a refused join stays behind.
        throw MatrixError(ErrCode::forbidden, "The room's state does not allow the join: " + joined.reason);
      }
    });
    return;
  }
  throw failure.value_or(MatrixError(ErrCode::not_found, "No server of the room could be asked"));
}

}  // namespace ranvier::api::client_server
