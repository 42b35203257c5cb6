#include "core/auth/event_auth.hpp"

#include <map>
#include <set>

#include "core/auth/auth_events.hpp"
#include "core/auth/event_view.hpp"
#include "core/auth/power_levels.hpp"
#include "core/identifiers.hpp"

namespace ranvier::auth {
namespace {

using nlohmann::json;
using R = AuthRule;

constexpr std::string_view create_type = "m.room.create";
constexpr std::string_view member_type = "m.room.member";
constexpr std::string_view power_levels_type = "m.room.power_levels";
constexpr std::string_view join_rules_type = "m.room.join_rules";
constexpr std::string_view third_party_invite_type = "m.room.third_party_invite";

std::string_view membership_of(const AuthState& state, std::string_view user_id) {
  EventFields scratch;
  const auto* event = state.fields(member_type, user_id, scratch);
  if (event == nullptr) {
    return "leave";
  }
  return event->membership().value_or("leave");
}

std::string_view join_rule_of(const AuthState& state) {
  EventFields scratch;
  const auto* event = state.fields(join_rules_type, "", scratch);
  if (event == nullptr) {
    // Without a join-rules event nobody but the creator may join; "invite" keeps invited
    // users able to join, as deployed servers do.
    return "invite";
  }
  return event->join_rule().value_or("");
}

// The only ID in a `prev_events` list that has exactly one entry, if that entry is a reference.
std::optional<std::string_view> single_reference(const json* list) {
  if (list == nullptr || !list->is_array() || list->size() != 1) {
    return std::nullopt;
  }
  std::optional<std::string_view> id;
  for_each_reference(list, [&](std::string_view ref) { id = ref; });
  return id;
}

AuthDecision check_create(const core::RoomVersion& v, const EventFields& ev) {
  if (ev.prev_event_count() > 0) {
    return reject(R::create_has_prev_events);
  }
  if (v.room_id_is_create_hash) {
    if (ev.has_room_id) {
      return reject(R::create_has_room_id);
    }
  } else {
    auto room_id = ev.room_id;
    if (room_id.find(':') == std::string_view::npos || server_of(room_id) != server_of(ev.sender)) {
      return reject(R::create_room_id_domain_mismatch);
    }
  }
  const json& content = *ev.content;
  if (const auto* room_version = member(content, "room_version")) {
    if (!room_version->is_string() ||
        core::find_room_version(room_version->get_ref<const std::string&>()) == nullptr) {
      return reject(R::create_unknown_room_version);
    }
  }
  if (!v.implicit_room_creator && member(content, "creator") == nullptr) {
    return reject(R::create_missing_creator);
  }
  if (v.privileged_creators) {
    if (const auto* extra = member(content, "additional_creators")) {
      if (!extra->is_array()) {
        return reject(R::create_invalid_additional_creators);
      }
      for (const auto& entry : *extra) {
        if (!entry.is_string() || !core::is_valid_user_id(entry.get_ref<const std::string&>())) {
          return reject(R::create_invalid_additional_creators);
        }
      }
    }
  }
  return allow(R::create_allowed);
}

// The create event's ID: v12 derives it from the room ID, older versions carry `event_id`.
std::string create_id_of(const core::RoomVersion& v, const EventFields& create, const EventFields& ev) {
  if (v.room_id_is_create_hash) {
    return create_event_id_for_room(ev.room_id);
  }
  return std::string(create.event_id());
}

struct MemberContext {
  const core::RoomVersion& v;
  const EventFields& ev;
  const EventFields& create;
  const AuthState& state;
  const SignatureChecks& signatures;
  const PowerLevels& levels;
  std::string_view target;
  std::string_view sender;
  std::string_view target_membership;
  std::string_view sender_membership;
};

AuthDecision check_join(const MemberContext& c) {
  // The creator's own first join: v1–v10 name the creator in content, later versions use the
  // create event's sender (v12: only the sender, not additional creators).
  auto creator = c.v.implicit_room_creator ? std::optional(c.create.sender)
                                           : string_member(*c.create.content, "creator");
  if (creator == c.target && c.ev.prev_event_count() == 1) {
    auto prev = single_reference(c.ev.prev_events());
    if (prev && *prev == create_id_of(c.v, c.create, c.ev)) {
      return allow(R::join_creator);
    }
  }
  if (c.sender != c.target) {
    return reject(R::join_sender_not_target);
  }
  if (c.target_membership == "ban") {
    return reject(R::join_sender_banned);
  }
  auto rule = join_rule_of(c.state);
  bool invited_or_joined = c.target_membership == "invite" || c.target_membership == "join";
  if (rule == "invite" || (c.v.knocking && rule == "knock")) {
    if (invited_or_joined) {
      return allow(R::join_invited);
    }
    return reject(R::join_rejected);
  }
  if (c.v.restricted_joins && (rule == "restricted" || (c.v.knock_restricted && rule == "knock_restricted"))) {
    if (invited_or_joined) {
      return allow(R::join_restricted_member);
    }
    auto authoriser = string_member(*c.ev.content, "join_authorised_via_users_server");
    if (!authoriser || membership_of(c.state, *authoriser) != "join" ||
        c.levels.user_level(*authoriser) < c.levels.named_level("invite")) {
      return reject(R::join_restricted_unauthorised);
    }
    return allow(R::join_restricted_allowed);
  }
  if (rule == "public") {
    return allow(R::join_public);
  }
  return reject(R::join_rejected);
}

AuthDecision check_third_party_invite(const MemberContext& c, const json& invite) {
  if (c.target_membership == "ban") {
    return reject(R::third_party_target_banned);
  }
  const auto* signed_block = member(invite, "signed");
  if (signed_block == nullptr || !signed_block->is_object()) {
    return reject(R::third_party_no_signed);
  }
  auto mxid = string_member(*signed_block, "mxid");
  auto token = string_member(*signed_block, "token");
  if (!mxid || !token) {
    return reject(R::third_party_signed_incomplete);
  }
  if (*mxid != c.target) {
    return reject(R::third_party_mxid_mismatch);
  }
  EventFields scratch;
  const auto* invite_event = c.state.fields(third_party_invite_type, *token, scratch);
  if (invite_event == nullptr) {
    return reject(R::third_party_no_invite_event);
  }
  if (invite_event->sender != c.sender) {
    return reject(R::third_party_sender_mismatch);
  }
  if (c.signatures.third_party_signed) {
    const auto& content = *invite_event->content;
    if (auto key = string_member(content, "public_key")) {
      if (c.signatures.third_party_signed(*signed_block, *key)) {
        return allow(R::third_party_signature_valid);
      }
    }
    if (const auto* keys = member(content, "public_keys"); keys != nullptr && keys->is_array()) {
      for (const auto& entry : *keys) {
        auto key = string_member(entry, "public_key");
        if (key && c.signatures.third_party_signed(*signed_block, *key)) {
          return allow(R::third_party_signature_valid);
        }
      }
    }
  }
  return reject(R::third_party_signature_invalid);
}

AuthDecision check_invite(const MemberContext& c) {
  if (const auto* invite = member(*c.ev.content, "third_party_invite")) {
    return check_third_party_invite(c, *invite);
  }
  if (c.sender_membership != "join") {
    return reject(R::invite_sender_not_joined);
  }
  if (c.target_membership == "join" || c.target_membership == "ban") {
    return reject(R::invite_target_joined_or_banned);
  }
  if (c.levels.user_level(c.sender) >= c.levels.named_level("invite")) {
    return allow(R::invite_allowed);
  }
  return reject(R::invite_insufficient_power);
}

AuthDecision check_leave(const MemberContext& c) {
  if (c.sender == c.target) {
    bool ok = c.target_membership == "invite" || c.target_membership == "join" ||
              (c.v.knocking && c.target_membership == "knock");
    return {ok, R::leave_self};
  }
  if (c.sender_membership != "join") {
    return reject(R::leave_sender_not_joined);
  }
  auto sender_level = c.levels.user_level(c.sender);
  if (c.target_membership == "ban" && sender_level < c.levels.named_level("ban")) {
    return reject(R::leave_target_banned);
  }
  if (sender_level >= c.levels.named_level("kick") && c.levels.user_level(c.target) < sender_level) {
    return allow(R::leave_kick_allowed);
  }
  return reject(R::leave_rejected);
}

AuthDecision check_ban(const MemberContext& c) {
  if (c.sender_membership != "join") {
    return reject(R::ban_sender_not_joined);
  }
  auto sender_level = c.levels.user_level(c.sender);
  if (sender_level >= c.levels.named_level("ban") && c.levels.user_level(c.target) < sender_level) {
    return allow(R::ban_allowed);
  }
  return reject(R::ban_rejected);
}

AuthDecision check_knock(const MemberContext& c) {
  auto rule = join_rule_of(c.state);
  if (rule != "knock" && !(c.v.knock_restricted && rule == "knock_restricted")) {
    return reject(R::knock_join_rule);
  }
  if (c.sender != c.target) {
    return reject(R::knock_sender_not_target);
  }
  auto m = c.sender_membership;
  if (m != "ban" && m != "invite" && m != "join") {
    return allow(R::knock_allowed);
  }
  return reject(R::knock_rejected);
}

AuthDecision check_member(const core::RoomVersion& v, const EventFields& ev, const EventFields& create,
                          const AuthState& state, const SignatureChecks& signatures, const PowerLevels& levels) {
  auto membership = ev.membership();
  if (!ev.is_state || !membership) {
    return reject(R::member_malformed);
  }
  if (v.restricted_joins) {
    if (const auto* authoriser = member(*ev.content, "join_authorised_via_users_server")) {
      bool signed_ok = authoriser->is_string() && signatures.event_signed_by &&
                       signatures.event_signed_by(*ev.pdu, server_of(authoriser->get_ref<const std::string&>()));
      if (!signed_ok) {
        return reject(R::member_authoriser_signature);
      }
    }
  }
  auto target = ev.state_key;
  auto sender = ev.sender;
  auto target_membership = membership_of(state, target);
  // Joins, knocks and leaves are mostly the sender's own: one state lookup then.
  auto sender_membership = sender == target ? target_membership : membership_of(state, sender);
  MemberContext c{v, ev, create, state, signatures, levels, target, sender, target_membership, sender_membership};
  if (*membership == "join") {
    return check_join(c);
  }
  if (*membership == "invite") {
    return check_invite(c);
  }
  if (*membership == "leave") {
    return check_leave(c);
  }
  if (*membership == "ban") {
    return check_ban(c);
  }
  if (v.knocking && *membership == "knock") {
    return check_knock(c);
  }
  return reject(R::member_unknown_membership);
}

// Rules on the shape of a new power-levels content (v10+ integer checks, users map, v12 creators).
AuthDecision check_power_levels_shape(const core::RoomVersion& v, const PowerLevelsFields& content,
                                      const EventFields& create) {
  if (v.integer_power_levels) {
    for (const auto* value : content.named) {
      if (value != nullptr && !value->is_number_integer()) {
        return reject(R::power_levels_invalid_field);
      }
    }
    for (const auto* map : {content.events, content.notifications}) {
      if (map == nullptr) {
        continue;
      }
      if (!map->is_object()) {
        return reject(R::power_levels_invalid_map);
      }
      for (const auto& [key, value] : map->items()) {
        if (!value.is_number_integer()) {
          return reject(R::power_levels_invalid_map);
        }
      }
    }
  }
  if (const auto* users = content.users) {
    if (!users->is_object()) {
      return reject(R::power_levels_invalid_users);
    }
    for (const auto& [user, value] : users->items()) {
      if (!core::is_valid_user_id(user) || !parse_power_level(value, v)) {
        return reject(R::power_levels_invalid_users);
      }
    }
    if (v.privileged_creators) {
      for (const auto& [user, value] : users->items()) {
        if (is_room_creator(create, user, v)) {
          return reject(R::power_levels_creator_in_users);
        }
      }
    }
  }
  return allow(R::power_levels_allowed);
}

std::optional<PowerLevel> level_of(const json* value, const core::RoomVersion& v) {
  return value == nullptr ? std::nullopt : parse_power_level(*value, v);
}

// Calls `fn(key, before, after)` once for every key of either map, with that map's value or
// null where it lacks the key (a map that is absent or not an object has no keys). Both are
// std::maps with one ordering, so one merge walk replaces a search per key.
template <typename Fn>
void for_each_key_pair(const json* before_map, const json* after_map, Fn&& fn) {
  static const json::object_t no_keys;
  const auto* before_object = before_map != nullptr ? before_map->get_ptr<const json::object_t*>() : nullptr;
  const auto* after_object = after_map != nullptr ? after_map->get_ptr<const json::object_t*>() : nullptr;
  const auto& before = before_object != nullptr ? *before_object : no_keys;
  const auto& after = after_object != nullptr ? *after_object : no_keys;
  auto b = before.begin();
  auto a = after.begin();
  const auto less = before.key_comp();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && less(b->first, a->first))) {
      fn(std::string_view(b->first), &b->second, nullptr);
      ++b;
    } else if (b == before.end() || less(a->first, b->first)) {
      fn(std::string_view(a->first), nullptr, &a->second);
      ++a;
    } else {
      fn(std::string_view(b->first), &b->second, &a->second);
      ++b;
      ++a;
    }
  }
}

AuthDecision check_power_levels_change(const core::RoomVersion& v, const PowerLevelsFields& old_content,
                                       const PowerLevelsFields& new_content, PowerLevel sender_level,
                                       std::string_view sender) {
  for (std::size_t i = 0; i < PowerLevelsFields::named_count; ++i) {
    auto before = level_of(old_content.named[i], v);
    auto after = level_of(new_content.named[i], v);
    if (before == after) {
      continue;
    }
    if (before && *before > sender_level) {
      return reject(R::power_levels_field_current_too_high);
    }
    if (after && *after > sender_level) {
      return reject(R::power_levels_field_new_too_high);
    }
  }
  const std::pair<const json*, const json*> maps[] = {{old_content.events, new_content.events},
                                                      {old_content.notifications, new_content.notifications}};
  for (std::size_t m = 0; m < (v.limit_notifications_power_levels ? 2 : 1); ++m) {
    bool current_too_high = false;
    bool new_too_high = false;
    for_each_key_pair(maps[m].first, maps[m].second, [&](std::string_view, const json* b, const json* a) {
      auto before = level_of(b, v);
      auto after = level_of(a, v);
      current_too_high = current_too_high || (before && before != after && *before > sender_level);
      new_too_high = new_too_high || (after && after != before && *after > sender_level);
    });
    if (current_too_high) {
      return reject(R::power_levels_map_current_too_high);
    }
    if (new_too_high) {
      return reject(R::power_levels_map_new_too_high);
    }
  }
  bool current_too_high = false;
  bool new_too_high = false;
  for_each_key_pair(old_content.users, new_content.users, [&](std::string_view user, const json* b, const json* a) {
    auto before = level_of(b, v);
    auto after = level_of(a, v);
    current_too_high = current_too_high || (user != sender && before && before != after && *before >= sender_level);
    new_too_high = new_too_high || (after && after != before && *after > sender_level);
  });
  if (current_too_high) {
    return reject(R::power_levels_user_current_too_high);
  }
  if (new_too_high) {
    return reject(R::power_levels_user_new_too_high);
  }
  return allow(R::power_levels_allowed);
}

// `levels` are those of the state, so their content is the current power-levels content.
AuthDecision check_power_levels(const core::RoomVersion& v, const EventFields& ev, const EventFields& create,
                                const PowerLevels& levels) {
  auto proposed = read_power_levels_fields(ev.content);
  auto shape = check_power_levels_shape(v, proposed, create);
  if (!shape) {
    return shape;
  }
  if (levels.content() == nullptr) {
    return allow(R::power_levels_initial);
  }
  return check_power_levels_change(v, levels.fields(), proposed, levels.user_level(ev.sender), ev.sender);
}

AuthDecision check_redaction(const EventFields& ev, const PowerLevels& levels) {
  if (levels.user_level(ev.sender) >= levels.named_level("redact")) {
    return allow(R::redaction_power);
  }
  auto redacts = EventView(*ev.pdu).redacts();
  if (redacts && !server_of(*redacts).empty() && server_of(*redacts) == server_of(ev.event_id())) {
    return allow(R::redaction_same_domain);
  }
  return reject(R::redaction_rejected);
}

// The state formed by an event's auth events (plus, in v12, the create event of its room).
class AuthEventsState final : public AuthState {
 public:
  const json* get(std::string_view type, std::string_view state_key) const override {
    auto it = events_.find(std::pair(type, state_key));
    return it == events_.end() ? nullptr : it->second;
  }
  void put(std::string_view type, std::string_view state_key, const json* event) {
    events_.emplace(std::pair(type, state_key), event);
  }

 private:
  std::map<std::pair<std::string_view, std::string_view>, const json*> events_;
};

}  // namespace

std::string create_event_id_for_room(std::string_view room_id) {
  if (room_id.empty() || room_id.front() != '!') {
    return {};
  }
  std::string id(room_id);
  id.front() = '$';
  return id;
}

AuthDecision check_against_state(const core::RoomVersion& v, const json& event, const AuthState& state,
                                 const SignatureChecks& signatures) {
  return check_against_state(v, read_event_fields(event), state, signatures);
}

AuthDecision check_against_state(const core::RoomVersion& v, const EventFields& ev, const AuthState& state,
                                 const SignatureChecks& signatures) {
  auto type = ev.type;
  auto sender = ev.sender;
  if (type == create_type) {
    return check_create(v, ev);
  }
  EventFields create_scratch;
  const auto* create_event = state.fields(create_type, "", create_scratch);
  if (create_event == nullptr) {
    return reject(v.room_id_is_create_hash ? R::room_id_not_create_event : R::auth_events_no_create);
  }
  const EventFields& create = *create_event;
  if (const auto* federate = member(*create.content, "m.federate");
      federate != nullptr && federate->is_boolean() && !federate->get<bool>() &&
      server_of(sender) != server_of(create.sender)) {
    return reject(R::federation_forbidden);
  }
  if (v.aliases_auth_rule && type == "m.room.aliases") {
    if (!ev.is_state) {
      return reject(R::aliases_no_state_key);
    }
    if (ev.state_key != server_of(sender)) {
      return reject(R::aliases_domain_mismatch);
    }
    return allow(R::aliases_allowed);
  }
  EventFields power_levels_scratch;
  PowerLevels levels(state.fields(power_levels_type, "", power_levels_scratch), create, v);
  if (type == member_type) {
    return check_member(v, ev, create, state, signatures, levels);
  }
  if (membership_of(state, sender) != "join") {
    return reject(R::sender_not_joined);
  }
  auto sender_level = levels.user_level(sender);
  if (type == third_party_invite_type) {
    return {sender_level >= levels.named_level("invite"), R::third_party_invite_event};
  }
  if (levels.event_level(type, ev.is_state) > sender_level) {
    return reject(R::insufficient_power);
  }
  if (ev.is_state && !ev.state_key.empty() && ev.state_key.front() == '@' && ev.state_key != sender) {
    return reject(R::state_key_impersonation);
  }
  if (type == power_levels_type) {
    return check_power_levels(v, ev, create, levels);
  }
  if (v.redaction_auth_rule && type == "m.room.redaction") {
    return check_redaction(ev, levels);
  }
  return allow(R::allowed_otherwise);
}

AuthDecision check_auth_events(const core::RoomVersion& v, const json& event, const EventStore& store) {
  EventView ev(event);
  if (ev.type() == create_type) {
    return allow(R::create_allowed);
  }
  if (v.room_id_is_create_hash) {
    auto create_id = create_event_id_for_room(ev.room_id().value_or(""));
    const auto* create = create_id.empty() ? nullptr : store.fetch(create_id);
    if (create == nullptr || EventView(*create).type() != create_type || !EventView(*create).is_state() ||
        store.is_rejected(create_id)) {
      return reject(R::room_id_not_create_event);
    }
  }
  std::vector<const json*> auth_events;
  bool rejected = false;
  for (auto id : ev.auth_event_ids()) {
    const auto* auth_event = store.fetch(id);
    if (auth_event == nullptr) {
      return reject(R::auth_events_missing);
    }
    rejected = rejected || store.is_rejected(id);
    auth_events.push_back(auth_event);
  }
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto* auth_event : auth_events) {
    EventView view(*auth_event);
    if (!seen.emplace(view.type(), view.state_key().value_or("")).second) {
      return reject(R::auth_events_duplicate);
    }
  }
  auto expected = auth_types_for_event(v, event);
  for (const auto* auth_event : auth_events) {
    EventView view(*auth_event);
    auto state_key = view.state_key();
    bool wanted = false;
    for (const auto& key : expected) {
      wanted = wanted || (state_key && key.type == view.type() && key.state_key == *state_key);
    }
    if (!wanted) {
      return reject(R::auth_events_unexpected);
    }
  }
  if (rejected) {
    return reject(R::auth_events_rejected);
  }
  if (!v.room_id_is_create_hash) {
    if (!seen.contains(std::pair(create_type, std::string_view("")))) {
      return reject(R::auth_events_no_create);
    }
  } else {
    for (const auto* auth_event : auth_events) {
      if (EventView(*auth_event).room_id() != ev.room_id()) {
        return reject(R::auth_events_wrong_room);
      }
    }
  }
  return allow(R::allowed_otherwise);
}

AuthDecision authorize_by_auth_events(const core::RoomVersion& v, const json& event, const EventStore& store,
                                      const SignatureChecks& signatures) {
  auto structural = check_auth_events(v, event, store);
  if (!structural) {
    return structural;
  }
  EventView ev(event);
  if (ev.type() == create_type) {
    return check_create(v, read_event_fields(event));
  }
  AuthEventsState state;
  if (v.room_id_is_create_hash) {
    state.put(create_type, "", store.fetch(create_event_id_for_room(ev.room_id().value_or(""))));
  }
  for (auto id : ev.auth_event_ids()) {
    // check_auth_events has made sure every auth event is known.
    if (const auto* auth_event = store.fetch(id)) {
      EventView view(*auth_event);
      state.put(view.type(), view.state_key().value_or(""), auth_event);
    }
  }
  return check_against_state(v, event, state, signatures);
}

}  // namespace ranvier::auth
