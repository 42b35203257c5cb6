#pragma once
// Event hashing, IDs, signing and verification (spec: content/server-server-api.md "Signing
// Events", "Calculating the reference hash", "Checks performed on receipt of a PDU";
// content/rooms/v3.md, v4.md and v12.md for ID formats).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/room_version.hpp"
#include "core/sha256.hpp"
#include "core/signing.hpp"

namespace ranvier::core {

/// SHA-256 of the canonical JSON of `event` without `unsigned`, `signatures` and `hashes`.
Sha256Digest content_hash(const nlohmann::json& event);

/// SHA-256 of the redacted event without `signatures` and `unsigned`.
Sha256Digest reference_hash(const nlohmann::json& event, const RoomVersion& version);

/// The event's ID: the `event_id` member in room versions 1–2 (nullopt if absent or not a
/// string), otherwise `$` + the reference hash in the version's base64 alphabet. Pass the event
/// in federation form: for versions ≥ 3 without an `event_id` member (it would be hashed).
std::optional<std::string> event_id_of(const nlohmann::json& event, const RoomVersion& version);

/// Room version 12: the room ID a create event defines (`!` + URL-safe reference hash).
std::string room_id_from_create_event(const nlohmann::json& create_event, const RoomVersion& version);

/// Signs a locally built event: sets `hashes.sha256`, then adds `server_name`'s signature over
/// the redacted form (the spec's order: hash, redact, sign).
void sign_event(nlohmann::json& event, const RoomVersion& version, std::string_view server_name,
                const SigningKey& key);

/// What to do with a received PDU after its signatures and hashes were checked.
enum class EventVerdict {
  accept,  ///< signatures and content hash are good
  redact,  ///< signatures are good but the content hash is not: keep only the redacted form
  reject,  ///< a required signature is missing or bad: drop the event
};

/// Outcome of verify_event.
struct EventVerification {
  EventVerdict verdict = EventVerdict::reject;
  /// Set for reject: why the signature check of `server` failed.
  std::optional<SignatureError> signature_error;
  std::string server;
  /// The event ID (computed for v3+, taken from the event for v1/v2); empty if unknown.
  std::string event_id;
};

/// The servers whose signatures a PDU needs: the sender's; for room versions 1–2 the event ID's;
/// for joins with `join_authorised_via_users_server` (versions with restricted joins) that
/// user's. Sorted, without duplicates. Expects a format-checked event.
std::vector<std::string> required_signers(const nlohmann::json& event, const RoomVersion& version);

/// Verifies a received PDU (format-checked beforehand): required signatures over the redacted
/// form, key validity at `origin_server_ts` where the version enforces it, then the content hash.
EventVerification verify_event(const nlohmann::json& event, const RoomVersion& version,
                               const VerifyKeyLookup& lookup);

}  // namespace ranvier::core
