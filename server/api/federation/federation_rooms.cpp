#include "api/federation/federation_rooms.hpp"

#include "api/errors.hpp"
#include "api/services.hpp"
#include "api/server_identity.hpp"
#include "core/base64.hpp"
#include "core/ed25519.hpp"
#include "core/identifiers.hpp"
#include "core/redaction.hpp"
#include "federation/key_ring.hpp"
#include "rooms/history_visibility.hpp"
#include "rooms/server_acl.hpp"
#include "rooms/state_content.hpp"

#include <algorithm>

namespace ranvier::api::server_server {

const std::string& origin_of(const RequestContext& ctx) {
  if (!ctx.origin) {
    throw MatrixError(ErrCode::unauthorized, "This endpoint needs a signed request");
  }
  return *ctx.origin;
}

void check_server_acl(storage::ReadTx& tx, const std::string& room_id, std::string_view origin) {
  auto id = tx.rooms().current_state_event(room_id, {"m.room.server_acl", ""});
  if (!id) {
    return;
  }
  auto row = tx.events().get_row(*id);
  if (!row) {
    return;
  }
  auto pdu = nlohmann::json::parse(row->json, nullptr, false);
  if (pdu.is_object() && !rooms::server_acl_allows(pdu.value("content", nlohmann::json::object()), origin)) {
    throw MatrixError(ErrCode::forbidden, "Server ACLs deny " + std::string(origin) + " in " + room_id);
  }
}

bool server_in_room(storage::ReadTx& tx, const std::string& room_id, std::string_view server) {
  const auto servers = tx.rooms().joined_servers(room_id);
  return std::binary_search(servers.begin(), servers.end(), server);
}

const core::RoomVersion& open_room(storage::ReadTx& tx, const std::string& room_id, std::string_view origin,
                                   bool require_member) {
  auto room = tx.rooms().get(room_id);
  const auto* version = room ? core::find_room_version(room->room_version) : nullptr;
  if (version == nullptr || tx.rooms().forward_extremities(room_id).empty()) {
    throw MatrixError(ErrCode::not_found, "This server is not in the room " + room_id);
  }
  check_server_acl(tx, room_id, origin);
  if (require_member && !server_in_room(tx, room_id, origin) &&
      rooms::current_history_visibility(tx, room_id) != "world_readable") {
    throw MatrixError(ErrCode::forbidden, std::string(origin) + " is not in the room " + room_id);
  }
  return *version;
}

bool server_may_see(storage::ReadTx& tx, const storage::StoredEvent& event, std::string_view server) {
  auto group = tx.state().event_state_group(event.event_id);
  if (!group) {
    return false;
  }
  std::vector<storage::StateKey> keys{{"m.room.history_visibility", ""}};
  for (auto membership : {storage::Membership::join, storage::Membership::invite, storage::Membership::leave,
                          storage::Membership::ban, storage::Membership::knock}) {
    for (const auto& member : tx.rooms().members(event.room_id, membership)) {
      if (core::server_name_of(member.user_id) == server) {
        keys.push_back({"m.room.member", member.user_id});
      }
    }
  }
  auto state = tx.state().state_for_keys(*group, keys);
  auto content_of = [&](const storage::StateKey& key, const char* field, const std::string& fallback) {
    auto it = state.find(key);
    if (it == state.end()) {
      return fallback;
    }
    return rooms::event_content_string(tx, it->second, field).value_or(fallback);
  };
  const auto visibility = content_of(keys.front(), "history_visibility", "shared");
  if (visibility == "world_readable") {
    return true;
  }
  for (std::size_t i = 1; i < keys.size(); ++i) {
    const auto membership = content_of(keys[i], "membership", "leave");
    if (membership == "join" || (visibility == "invited" && membership == "invite")) {
      return true;
    }
  }
  return visibility == "shared" && server_in_room(tx, event.room_id, server);
}

nlohmann::json federation_pdu(const storage::StoredEvent& event, const core::RoomVersion& version) {
  auto pdu = nlohmann::json::parse(event.json, nullptr, false);
  if (!pdu.is_object()) {
    return nlohmann::json::object();
  }
  pdu.erase("unsigned");
  if (event.redacted_by) {
    pdu = core::redact(pdu, version);
  }
  return pdu;
}

storage::StateMap state_before(storage::ReadTx& tx, const storage::StoredEvent& event) {
  auto group = tx.state().event_state_group(event.event_id);
  if (!group) {
    return {};
  }
  auto state = tx.state().state_map(*group);
  if (event.state_key && !event.rejected()) {
    storage::StateKey key{event.type, *event.state_key};
    auto pdu = nlohmann::json::parse(event.json, nullptr, false);
    const nlohmann::json* replaced = nullptr;
    if (pdu.is_object() && pdu.contains("unsigned") && pdu["unsigned"].is_object() &&
        pdu["unsigned"].contains("replaces_state") && pdu["unsigned"]["replaces_state"].is_string()) {
      replaced = &pdu["unsigned"]["replaces_state"];
    }
    if (replaced != nullptr) {
      state[key] = replaced->get<std::string>();
    } else if (auto it = state.find(key); it != state.end() && it->second == event.event_id) {
      state.erase(it);
    }
  }
  return state;
}

nlohmann::json federation_pdus(storage::ReadTx& tx, std::span<const std::string> ids,
                               const core::RoomVersion& version) {
  auto out = nlohmann::json::array();
  for (const auto& event : tx.events().get_many(ids)) {
    out.push_back(federation_pdu(event, version));
  }
  return out;
}

void add_event_signature(nlohmann::json& pdu, const core::RoomVersion& version, const ServerIdentity& identity) {
  const auto sig = core::ed25519_sign(identity.signing_key.pair, core::redacted_signable_json(pdu, version));
  pdu["signatures"][identity.server_name][identity.signing_key.key_id] = core::base64_encode(core::as_bytes(sig));
}

rooms::VerifiedPdu verify_request_event(const RequestContext& ctx, const nlohmann::json& pdu,
                                        const core::RoomVersion& version, const std::string& event_id) {
  KeyRingLookup keys(key_ring_of(ctx));
  auto result = rooms::verify_received(pdu, version, keys);
  if (result.status == rooms::ReceiveStatus::bad_signature) {
    throw MatrixError(ErrCode::forbidden, "The event's signatures do not verify: " + result.reason);
  }
  if (!result.verified) {
    throw MatrixError(ErrCode::bad_json, "Not an event of room version " + std::string(version.id) + ": " +
                                             result.reason);
  }
  if (result.verified->event_id != event_id) {
    throw MatrixError(ErrCode::bad_json, "The event's ID is " + result.verified->event_id + ", not " + event_id);
  }
  return std::move(*result.verified);
}

std::optional<core::VerifyKey> KeyRingLookup::key(std::string_view server, std::string_view key_id,
                                                  std::int64_t at_ts) {
  return ring_.verify_key(server, key_id, at_ts);
}

federation::KeyRing& key_ring_of(const RequestContext& ctx) {
  if (ctx.services.key_ring == nullptr) {
    throw MatrixError(ErrCode::internal, "This server runs without a key ring");
  }
  return *ctx.services.key_ring;
}

}  // namespace ranvier::api::server_server
