#include "core/auth/rules.hpp"

namespace ranvier::auth {
namespace {

// Top-level rule numbers move as versions add (v12: room_id) or drop (v6: aliases; v3:
// redaction) rules; everything is derived from the version's flags.
struct Sections {
  int auth_events;
  int federate;
  int member;
  int power_levels;
  int redaction;
  int otherwise;
};

Sections sections_for(const core::RoomVersion& v) {
  int room_id_rule = v.room_id_is_create_hash ? 1 : 0;
  Sections s{};
  s.auth_events = 2 + room_id_rule;
  s.federate = 3 + room_id_rule;
  s.member = v.aliases_auth_rule ? 5 : 4 + room_id_rule;
  s.power_levels = s.member + 5;
  s.redaction = v.redaction_auth_rule ? s.power_levels + 1 : 0;
  s.otherwise = v.redaction_auth_rule ? s.power_levels + 2 : s.power_levels + 1;
  return s;
}

std::string join_numbers(std::initializer_list<int> parts) {
  std::string out;
  for (int part : parts) {
    if (!out.empty()) {
      out += '.';
    }
    out += std::to_string(part);
  }
  return out;
}

}  // namespace

std::string rule_number(AuthRule rule, const core::RoomVersion& v) {
  const Sections s = sections_for(v);
  const int m = s.member;
  const int r = v.restricted_joins ? 1 : 0;
  const int join = 2 + r;
  const int invite = 3 + r;
  const int leave = 4 + r;
  const int ban = 5 + r;
  const int knock = 6 + r;
  const int pl = s.power_levels;
  const int pi = (v.integer_power_levels ? 2 : 0) + (v.privileged_creators ? 1 : 0);
  const bool v12 = v.room_id_is_create_hash;
  using R = AuthRule;
  switch (rule) {
    case R::create_has_prev_events: return "1.1";
    case R::create_room_id_domain_mismatch: return v12 ? "" : "1.2";
    case R::create_has_room_id: return v12 ? "1.2" : "";
    case R::create_unknown_room_version: return "1.3";
    case R::create_missing_creator: return v.implicit_room_creator ? "" : "1.4";
    case R::create_invalid_additional_creators: return v.privileged_creators ? "1.4" : "";
    case R::create_allowed: return v.implicit_room_creator && !v.privileged_creators ? "1.4" : "1.5";
    case R::room_id_not_create_event: return v12 ? "2" : "";
    case R::auth_events_duplicate: return join_numbers({s.auth_events, 1});
    case R::auth_events_unexpected: return join_numbers({s.auth_events, 2});
    case R::auth_events_rejected:
    case R::auth_events_missing: return join_numbers({s.auth_events, 3});
    case R::auth_events_no_create: return v12 ? "" : join_numbers({s.auth_events, 4});
    case R::auth_events_wrong_room: return v12 ? join_numbers({s.auth_events, 4}) : "";
    case R::federation_forbidden: return std::to_string(s.federate);
    case R::aliases_no_state_key: return v.aliases_auth_rule ? "4.1" : "";
    case R::aliases_domain_mismatch: return v.aliases_auth_rule ? "4.2" : "";
    case R::aliases_allowed: return v.aliases_auth_rule ? "4.3" : "";
    case R::member_malformed: return join_numbers({m, 1});
    case R::member_authoriser_signature: return r ? join_numbers({m, 2}) : "";
    case R::join_creator: return join_numbers({m, join, 1});
    case R::join_sender_not_target: return join_numbers({m, join, 2});
    case R::join_sender_banned: return join_numbers({m, join, 3});
    case R::join_invited: return join_numbers({m, join, 4});
    case R::join_restricted_member: return r ? join_numbers({m, join, 5, 1}) : "";
    case R::join_restricted_unauthorised: return r ? join_numbers({m, join, 5, 2}) : "";
    case R::join_restricted_allowed: return r ? join_numbers({m, join, 5, 3}) : "";
    case R::join_public: return join_numbers({m, join, 5 + r});
    case R::join_rejected: return join_numbers({m, join, 6 + r});
    case R::third_party_target_banned: return join_numbers({m, invite, 1, 1});
    case R::third_party_no_signed: return join_numbers({m, invite, 1, 2});
    case R::third_party_signed_incomplete: return join_numbers({m, invite, 1, 3});
    case R::third_party_mxid_mismatch: return join_numbers({m, invite, 1, 4});
    case R::third_party_no_invite_event: return join_numbers({m, invite, 1, 5});
    case R::third_party_sender_mismatch: return join_numbers({m, invite, 1, 6});
    case R::third_party_signature_valid: return join_numbers({m, invite, 1, 7});
    case R::third_party_signature_invalid: return join_numbers({m, invite, 1, 8});
    case R::invite_sender_not_joined: return join_numbers({m, invite, 2});
    case R::invite_target_joined_or_banned: return join_numbers({m, invite, 3});
    case R::invite_allowed: return join_numbers({m, invite, 4});
    case R::invite_insufficient_power: return join_numbers({m, invite, 5});
    case R::leave_self: return join_numbers({m, leave, 1});
    case R::leave_sender_not_joined: return join_numbers({m, leave, 2});
    case R::leave_target_banned: return join_numbers({m, leave, 3});
    case R::leave_kick_allowed: return join_numbers({m, leave, 4});
    case R::leave_rejected: return join_numbers({m, leave, 5});
    case R::ban_sender_not_joined: return join_numbers({m, ban, 1});
    case R::ban_allowed: return join_numbers({m, ban, 2});
    case R::ban_rejected: return join_numbers({m, ban, 3});
    case R::knock_join_rule: return v.knocking ? join_numbers({m, knock, 1}) : "";
    case R::knock_sender_not_target: return v.knocking ? join_numbers({m, knock, 2}) : "";
    case R::knock_allowed: return v.knocking ? join_numbers({m, knock, 3}) : "";
    case R::knock_rejected: return v.knocking ? join_numbers({m, knock, 4}) : "";
    case R::member_unknown_membership: return join_numbers({m, v.knocking ? knock + 1 : knock});
    case R::sender_not_joined: return std::to_string(m + 1);
    case R::third_party_invite_event: return join_numbers({m + 2, 1});
    case R::insufficient_power: return std::to_string(m + 3);
    case R::state_key_impersonation: return std::to_string(m + 4);
    case R::power_levels_invalid_field: return v.integer_power_levels ? join_numbers({pl, 1}) : "";
    case R::power_levels_invalid_map: return v.integer_power_levels ? join_numbers({pl, 2}) : "";
    case R::power_levels_invalid_users:
      return join_numbers({pl, v.integer_power_levels ? 3 : 1});
    case R::power_levels_creator_in_users: return v.privileged_creators ? join_numbers({pl, 4}) : "";
    case R::power_levels_initial: return join_numbers({pl, 2 + pi});
    case R::power_levels_field_current_too_high: return join_numbers({pl, 3 + pi, 1});
    case R::power_levels_field_new_too_high: return join_numbers({pl, 3 + pi, 2});
    case R::power_levels_map_current_too_high: return join_numbers({pl, 4 + pi, 1});
    case R::power_levels_map_new_too_high: return join_numbers({pl, 5 + pi, 1});
    case R::power_levels_user_current_too_high: return join_numbers({pl, 6 + pi, 1});
    case R::power_levels_user_new_too_high: return join_numbers({pl, 7 + pi, 1});
    case R::power_levels_allowed: return join_numbers({pl, 8 + pi});
    case R::redaction_power: return s.redaction ? join_numbers({s.redaction, 1}) : "";
    case R::redaction_same_domain: return s.redaction ? join_numbers({s.redaction, 2}) : "";
    case R::redaction_rejected: return s.redaction ? join_numbers({s.redaction, 3}) : "";
    case R::allowed_otherwise: return std::to_string(s.otherwise);
  }
  return "";
}

std::string_view describe(AuthRule rule) {
  using R = AuthRule;
  switch (rule) {
    case R::create_has_prev_events: return "create event has prev_events";
    case R::create_room_id_domain_mismatch: return "room_id domain differs from sender domain";
    case R::create_has_room_id: return "create event carries a room_id";
    case R::create_unknown_room_version: return "content.room_version is not a recognised version";
    case R::create_missing_creator: return "content has no creator";
    case R::create_invalid_additional_creators: return "additional_creators is not a list of user IDs";
    case R::create_allowed: return "create event allowed";
    case R::room_id_not_create_event: return "room_id is not the ID of an accepted create event";
    case R::auth_events_duplicate: return "auth_events has duplicate (type, state_key) entries";
    case R::auth_events_unexpected: return "auth_events has an entry the selection algorithm would not pick";
    case R::auth_events_rejected: return "an auth event was itself rejected";
    case R::auth_events_missing: return "an auth event is unknown";
    case R::auth_events_no_create: return "no m.room.create among auth_events";
    case R::auth_events_wrong_room: return "an auth event belongs to another room";
    case R::federation_forbidden: return "m.federate is false and the sender is on another server";
    case R::aliases_no_state_key: return "m.room.aliases without state_key";
    case R::aliases_domain_mismatch: return "m.room.aliases state_key is not the sender's domain";
    case R::aliases_allowed: return "m.room.aliases allowed";
    case R::member_malformed: return "member event lacks state_key or membership";
    case R::member_authoriser_signature: return "not signed by the join_authorised_via_users_server server";
    case R::join_creator: return "creator's first join";
    case R::join_sender_not_target: return "join: sender differs from state_key";
    case R::join_sender_banned: return "join: sender is banned";
    case R::join_invited: return "join: invited or already joined";
    case R::join_restricted_member: return "restricted join: already invited or joined";
    case R::join_restricted_unauthorised: return "restricted join: authorising user cannot invite";
    case R::join_restricted_allowed: return "restricted join: authorised";
    case R::join_public: return "join: public room";
    case R::join_rejected: return "join: not allowed by the join rule";
    case R::third_party_target_banned: return "third-party invite: target is banned";
    case R::third_party_no_signed: return "third-party invite: no signed block";
    case R::third_party_signed_incomplete: return "third-party invite: signed lacks mxid or token";
    case R::third_party_mxid_mismatch: return "third-party invite: mxid differs from state_key";
    case R::third_party_no_invite_event: return "third-party invite: no matching m.room.third_party_invite";
    case R::third_party_sender_mismatch: return "third-party invite: sender differs from the invite's sender";
    case R::third_party_signature_valid: return "third-party invite: signature verified";
    case R::third_party_signature_invalid: return "third-party invite: no signature matches a public key";
    case R::invite_sender_not_joined: return "invite: sender is not joined";
    case R::invite_target_joined_or_banned: return "invite: target is joined or banned";
    case R::invite_allowed: return "invite allowed";
    case R::invite_insufficient_power: return "invite: sender below invite level";
    case R::leave_self: return "leave: own membership change";
    case R::leave_sender_not_joined: return "leave: sender is not joined";
    case R::leave_target_banned: return "leave: unban needs the ban level";
    case R::leave_kick_allowed: return "kick allowed";
    case R::leave_rejected: return "leave: sender lacks power over target";
    case R::ban_sender_not_joined: return "ban: sender is not joined";
    case R::ban_allowed: return "ban allowed";
    case R::ban_rejected: return "ban: sender lacks power over target";
    case R::knock_join_rule: return "knock: join rule does not allow knocking";
    case R::knock_sender_not_target: return "knock: sender differs from state_key";
    case R::knock_allowed: return "knock allowed";
    case R::knock_rejected: return "knock: sender is banned, invited or joined";
    case R::member_unknown_membership: return "unknown membership";
    case R::sender_not_joined: return "sender is not joined";
    case R::third_party_invite_event: return "m.room.third_party_invite needs the invite level";
    case R::insufficient_power: return "sender below the event's required power level";
    case R::state_key_impersonation: return "state_key names another user";
    case R::power_levels_invalid_field: return "power levels: a level is not an integer";
    case R::power_levels_invalid_map: return "power levels: events/notifications is not a map of integers";
    case R::power_levels_invalid_users: return "power levels: users is not a map of user IDs to integers";
    case R::power_levels_creator_in_users: return "power levels: users lists a room creator";
    case R::power_levels_initial: return "first power levels event";
    case R::power_levels_field_current_too_high: return "power levels: changed level was above sender";
    case R::power_levels_field_new_too_high: return "power levels: new level above sender";
    case R::power_levels_map_current_too_high: return "power levels: changed event level was above sender";
    case R::power_levels_map_new_too_high: return "power levels: new event level above sender";
    case R::power_levels_user_current_too_high: return "power levels: changed user was at or above sender";
    case R::power_levels_user_new_too_high: return "power levels: new user level above sender";
    case R::power_levels_allowed: return "power levels change allowed";
    case R::redaction_power: return "redaction: sender has the redact level";
    case R::redaction_same_domain: return "redaction: same domain as the redacted event";
    case R::redaction_rejected: return "redaction not allowed";
    case R::allowed_otherwise: return "allowed";
  }
  return "";
}

}  // namespace ranvier::auth
