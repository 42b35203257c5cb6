#pragma once
// The callbacks through which auth and state resolution see the world: events by ID and the
// room state the rules are checked against. Implementations own the events; the library only
// reads them and never keeps pointers past the call.

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/auth/event_fields.hpp"

namespace ranvier::auth {

/// Events by ID.
class EventStore {
 public:
  virtual ~EventStore() = default;
  /// The PDU with this ID, or nullptr when unknown.
  virtual const nlohmann::json* fetch(std::string_view event_id) const = 0;
  /// True if the event was rejected by the checks on receipt of a PDU.
  virtual bool is_rejected(std::string_view event_id) const { return false; }
};

/// Room state keyed by (type, state_key), as the auth rules consult it.
class AuthState {
 public:
  virtual ~AuthState() = default;
  /// The state event for (type, state_key), or nullptr. In room version 12 implementations
  /// must also answer ("m.room.create", "") with the create event named by the room ID.
  virtual const nlohmann::json* get(std::string_view type, std::string_view state_key) const = 0;
  /// The fields of the same event, or nullptr. The default reads them from get() into
  /// `scratch`; implementations that keep events parsed return their own (the rules read the
  /// same state events for every check).
  virtual const EventFields* fields(std::string_view type, std::string_view state_key, EventFields& scratch) const {
    const auto* event = get(type, state_key);
    if (event == nullptr) {
      return nullptr;
    }
    scratch = read_event_fields(*event);
    return &scratch;
  }
};

/// Signature checks the auth rules need. Empty functions fail closed (the check does not pass),
/// so callers that do not verify signatures cannot accidentally authorize.
struct SignatureChecks {
  /// True if `pdu` carries a valid signature from `server_name` (restricted joins,
  /// `join_authorised_via_users_server`).
  std::function<bool(const nlohmann::json& pdu, std::string_view server_name)> event_signed_by;
  /// True if a signature inside a third-party invite's `signed` block verifies with the ed25519
  /// `public_key` (unpadded base64) taken from the `m.room.third_party_invite` event.
  std::function<bool(const nlohmann::json& signed_block, std::string_view public_key)> third_party_signed;
};

}  // namespace ranvier::auth
