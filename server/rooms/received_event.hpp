#pragma once
// Events received from other servers (spec: content/server-server-api.md, "Checks performed on
// receipt of a PDU"). They take the pipeline's phases from `format` on, in two steps:
//
//   verify_received   format → signatures → content hash. Needs keys, not the database, so
//                     callers run it before opening the write transaction.
//   EventPipeline::receive   auth against the event's auth_events → auth against the state
//                     before it → soft-fail against the current state → persist.
//
// A hash mismatch keeps the redacted form; events failing either auth check are stored as
// rejected (so later events citing them are judged right); soft-failed events are stored but
// are neither forward extremities nor served to clients.

#include "core/auth/event_store.hpp"
#include "core/room_version.hpp"
#include "core/signing.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::rooms {

/// Other servers' public keys, as the checks on received events need them. The federation key
/// ring implements it (fetching, caching, notaries).
class KeyLookup {
 public:
  virtual ~KeyLookup() = default;
  /// `server`'s key `key_id` (e.g. `ed25519:abc`), as known for use at `at_ts` (ms since the
  /// epoch); nullopt when it cannot be found. The caller enforces valid_until_ts where the room
  /// version requires it.
  virtual std::optional<core::VerifyKey> key(std::string_view server, std::string_view key_id, std::int64_t at_ts) = 0;
};

/// How the checks on a received PDU ended.
enum class ReceiveStatus {
  accepted,             ///< stored, part of the DAG and of the room's state
  soft_failed,          ///< stored and part of the DAG, but not a forward extremity nor sent to clients
  rejected,             ///< failed authorization: stored as rejected
  already_known,        ///< this event was stored before; nothing changed
  bad_format,           ///< not a PDU of the room version: dropped
  bad_signature,        ///< a required signature is missing or wrong: dropped
  unknown_room,         ///< this server is not in the event's room
  missing_auth_events,  ///< `missing` lists auth events to fetch first (GET /event_auth)
  missing_prev_events,  ///< `missing` lists prev events whose state is unknown (get_missing_events)
};

/// Short English name of a status.
std::string_view to_string(ReceiveStatus status);

/// A PDU that passed format, signature and hash checks, ready for EventPipeline::receive.
struct VerifiedPdu {
  const core::RoomVersion* version = nullptr;
  std::string event_id;
  std::string room_id;
  /// The event in federation form, without `unsigned` (what others sent there is not trusted);
  /// the redacted form when the content hash did not match.
  nlohmann::json pdu;
  /// The content hash did not match.
  bool redacted = false;
};

/// The outcome of a step of the receive path.
struct ReceiveResult {
  ReceiveStatus status = ReceiveStatus::bad_format;
  /// The event's ID when known.
  std::string event_id;
  /// Why it was not accepted, in English (empty when accepted).
  std::string reason;
  /// For missing_auth_events / missing_prev_events: the events to fetch first.
  std::vector<std::string> missing;
  /// For accepted and soft-failed events: the stream position they were stored at.
  std::int64_t stream = 0;
  /// The verified event, when verify_received passed.
  std::optional<VerifiedPdu> verified;

  /// True for the statuses after which the event is stored (accepted, soft-failed, rejected,
  /// already known).
  bool stored() const;
};

/// The database-free checks: PDU format for `version`, the required signatures (sender's
/// server; the event ID's server in v1/v2; the authorising server of restricted joins) with keys
/// from `keys`, then the content hash. `verified` is set when the result is accepted (to be
/// persisted by EventPipeline::receive); a hash mismatch sets `verified->redacted`.
ReceiveResult verify_received(const nlohmann::json& pdu, const core::RoomVersion& version, KeyLookup& keys);

/// Signature checks for the auth rules over received events (restricted joins): `own_server`'s
/// events count as signed when they carry its signature (this server made them); others are
/// verified with `keys`.
auth::SignatureChecks received_signature_checks(std::string own_server, const core::RoomVersion& version,
                                                KeyLookup& keys);

}  // namespace ranvier::rooms
