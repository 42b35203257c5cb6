#pragma once
// What the server-server room endpoints share: the verified origin, the room's server ACL,
// whether the origin takes part in the room, history visibility for servers, and events in
// federation form.

#include "api/context.hpp"
#include "core/room_version.hpp"
#include "rooms/received_event.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::federation {
class KeyRing;
}

namespace ranvier::api {
struct ServerIdentity;
}

namespace ranvier::api::server_server {

/// The server that signed the request; M_UNAUTHORIZED when the request was not signed.
const std::string& origin_of(const RequestContext& ctx);

/// M_FORBIDDEN when the room's current server ACL denies `origin`.
void check_server_acl(storage::ReadTx& tx, const std::string& room_id, std::string_view origin);

/// True if a user of `server` is joined to the room now.
bool server_in_room(storage::ReadTx& tx, const std::string& room_id, std::string_view server);

/// A room opened for a request from `origin`: M_NOT_FOUND for rooms unknown here, M_FORBIDDEN
/// when the ACL denies the origin or (with `require_member`) no user of the origin is joined.
const core::RoomVersion& open_room(storage::ReadTx& tx, const std::string& room_id, std::string_view origin,
                                   bool require_member = true);

/// True if the room's history visibility lets some user of `server` see `event`: the state at
/// the event is world_readable, one of the server's users was joined then (or invited, for
/// `invited`), or for `shared` one is joined now.
bool server_may_see(storage::ReadTx& tx, const storage::StoredEvent& event, std::string_view server);

/// A stored event as it goes over federation: the PDU without local `unsigned` data, redacted
/// when a redaction was applied to it.
nlohmann::json federation_pdu(const storage::StoredEvent& event, const core::RoomVersion& version);

/// The room state before an event, from the state after it (its state group): a state event's
/// own key goes back to what it replaced. Empty for events without a state group (outliers).
storage::StateMap state_before(storage::ReadTx& tx, const storage::StoredEvent& event);

/// The stored events among `ids`, in federation form (unknown IDs left out).
nlohmann::json federation_pdus(storage::ReadTx& tx, std::span<const std::string> ids,
                               const core::RoomVersion& version);

/// Adds this server's signature to an event made elsewhere (an invite to one of its users, a
/// restricted join it authorises): over the redacted form, as event signatures are.
void add_event_signature(nlohmann::json& pdu, const core::RoomVersion& version, const ServerIdentity& identity);

/// The format, signature and hash checks on an event received in a request body, with keys from
/// the key ring: M_BAD_JSON for a malformed event or one whose ID is not `event_id`,
/// M_FORBIDDEN for bad signatures.
rooms::VerifiedPdu verify_request_event(const RequestContext& ctx, const nlohmann::json& pdu,
                                        const core::RoomVersion& version, const std::string& event_id);

/// The key ring as the room layer's key lookup.
class KeyRingLookup final : public rooms::KeyLookup {
 public:
  explicit KeyRingLookup(federation::KeyRing& ring) : ring_(ring) {}
  std::optional<core::VerifyKey> key(std::string_view server, std::string_view key_id, std::int64_t at_ts) override;

 private:
  federation::KeyRing& ring_;
};

/// The key ring of the running server; M_UNKNOWN (500) when the server runs without one.
federation::KeyRing& key_ring_of(const RequestContext& ctx);

}  // namespace ranvier::api::server_server
