#pragma once
// The outcome of an authorization check, naming the spec rule that decided it.
// Rule numbers differ between room versions (rules were added and removed), so each rule is an
// enumerator and `rule_number` renders the number the spec gives it in a given version.

#include <string>
#include <string_view>

#include "core/room_version.hpp"

namespace ranvier::auth {

/// Every decision point of the authorization rules (spec: content/rooms/*.md).
enum class AuthRule {
  // m.room.create
  create_has_prev_events,
  create_room_id_domain_mismatch,   ///< v1–v11
  create_has_room_id,               ///< v12
  create_unknown_room_version,
  create_missing_creator,           ///< v1–v10
  create_invalid_additional_creators,  ///< v12
  create_allowed,
  // v12: room_id must name an accepted create event
  room_id_not_create_event,
  // auth_events
  auth_events_duplicate,
  auth_events_unexpected,
  auth_events_rejected,
  auth_events_missing,              ///< an auth event is unknown: cannot be checked (not a spec rule)
  auth_events_no_create,            ///< v1–v11
  auth_events_wrong_room,           ///< v12
  federation_forbidden,
  // m.room.aliases (v1–v5)
  aliases_no_state_key,
  aliases_domain_mismatch,
  aliases_allowed,
  // m.room.member
  member_malformed,
  member_authoriser_signature,      ///< v8+
  join_creator,
  join_sender_not_target,
  join_sender_banned,
  join_invited,
  join_restricted_member,           ///< v8+
  join_restricted_unauthorised,     ///< v8+
  join_restricted_allowed,          ///< v8+
  join_public,
  join_rejected,
  third_party_target_banned,
  third_party_no_signed,
  third_party_signed_incomplete,
  third_party_mxid_mismatch,
  third_party_no_invite_event,
  third_party_sender_mismatch,
  third_party_signature_valid,
  third_party_signature_invalid,
  invite_sender_not_joined,
  invite_target_joined_or_banned,
  invite_allowed,
  invite_insufficient_power,
  leave_self,
  leave_sender_not_joined,
  leave_target_banned,
  leave_kick_allowed,
  leave_rejected,
  ban_sender_not_joined,
  ban_allowed,
  ban_rejected,
  knock_join_rule,                  ///< v7+
  knock_sender_not_target,
  knock_allowed,
  knock_rejected,
  member_unknown_membership,
  // every other event
  sender_not_joined,
  third_party_invite_event,
  insufficient_power,
  state_key_impersonation,
  // m.room.power_levels
  power_levels_invalid_field,       ///< v10+
  power_levels_invalid_map,         ///< v10+ (events / notifications)
  power_levels_invalid_users,
  power_levels_creator_in_users,    ///< v12
  power_levels_initial,
  power_levels_field_current_too_high,
  power_levels_field_new_too_high,
  power_levels_map_current_too_high,
  power_levels_map_new_too_high,
  power_levels_user_current_too_high,
  power_levels_user_new_too_high,
  power_levels_allowed,
  // m.room.redaction (v1–v2)
  redaction_power,
  redaction_same_domain,
  redaction_rejected,
  allowed_otherwise,
};

/// The result of an authorization check.
struct AuthDecision {
  bool allowed = false;
  AuthRule rule = AuthRule::allowed_otherwise;

  explicit operator bool() const { return allowed; }
};

/// Shorthands for building decisions.
inline AuthDecision allow(AuthRule rule) { return {true, rule}; }
inline AuthDecision reject(AuthRule rule) { return {false, rule}; }

/// The rule's number in the spec text of the given room version, e.g. "5.3.2" (room v12 join,
/// sender ≠ state_key), or "" if the rule does not exist in that version.
std::string rule_number(AuthRule rule, const core::RoomVersion& version);

/// A short English description of the rule, for logs and error messages.
std::string_view describe(AuthRule rule);

}  // namespace ranvier::auth
