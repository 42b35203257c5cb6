#pragma once
// The one place that says how each room version behaves.
// Spec: content/rooms/v1.md … v12.md (summary in ../shared/matrix-spec/facts.md).

#include <optional>
#include <span>
#include <string_view>

namespace ranvier::core {

/// How event IDs are made and how auth_events/prev_events are shaped on the wire.
enum class EventFormat {
  v1,  ///< `$opaque:domain` chosen by the origin; prev/auth events are `[id, {sha256}]` pairs.
  v3,  ///< `$` + standard unpadded base64 of the reference hash; plain ID lists.
  v4,  ///< as v3 but URL-safe base64 (also used by every later version).
};

/// Which redaction algorithm applies (named after the version that introduced it).
enum class RedactionAlgorithm { v1, v6, v8, v9, v11 };

/// Which state-resolution algorithm applies.
enum class StateResAlgorithm { v1, v2, v2_1 };

/// Behaviour of one room version. Flags are named after what they change, so rule code reads
/// `if (rv.knocking)` rather than comparing version strings.
struct RoomVersion {
  std::string_view id;
  EventFormat event_format;
  RedactionAlgorithm redaction;
  StateResAlgorithm state_res;

  /// v1–v2: the `m.room.redaction` auth rule (sender level or same domain as the redacted ID).
  bool redaction_auth_rule;
  /// v1–v5: `m.room.aliases` auth rule (state_key must be the sender's domain).
  bool aliases_auth_rule;
  /// v5+: signing keys must be valid at the event's origin_server_ts.
  bool enforce_key_validity;
  /// v6+: canonical JSON strictly enforced (integers in ±(2^53−1), no floats).
  bool strict_canonical_json;
  /// v6+: power-level changes also check `notifications`.
  bool limit_notifications_power_levels;
  /// v7+: `knock` membership and join rule.
  bool knocking;
  /// v8+: `restricted` join rule with `allow` and `join_authorised_via_users_server`.
  bool restricted_joins;
  /// v10+: `knock_restricted` join rule.
  bool knock_restricted;
  /// v10+: power levels must be real integers (no strings).
  bool integer_power_levels;
  /// v11+: the create event's sender is the creator (no `content.creator`);
  /// `redacts` lives in the redaction's content.
  bool implicit_room_creator;
  bool redacts_in_content;
  /// v12: room ID is the create event's reference hash; create event never in auth_events;
  /// creators (sender + additional_creators) have infinite power.
  bool room_id_is_create_hash;
  bool privileged_creators;
  /// v1–v2: events must also be signed by the server of their `event_id`.
  bool event_id_domain_signature;
};

/// Every room version this server knows, in ascending order.
std::span<const RoomVersion> known_room_versions();

/// Looks a version up by its identifier; nullopt for unknown versions.
const RoomVersion* find_room_version(std::string_view id);

/// The version new rooms get when the client does not ask for one.
inline constexpr std::string_view default_room_version = "12";

}  // namespace ranvier::core
