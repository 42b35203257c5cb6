#include "core/auth/auth_events.hpp"

#include "core/auth/event_view.hpp"

namespace ranvier::auth {

std::vector<StateKey> auth_types_for_event(const core::RoomVersion& version, const nlohmann::json& event) {
  EventView ev(event);
  std::vector<StateKey> keys;
  if (ev.type() == "m.room.create") {
    return keys;
  }
  if (!version.room_id_is_create_hash) {
    keys.push_back({"m.room.create", ""});
  }
  keys.push_back({"m.room.power_levels", ""});
  keys.push_back({"m.room.member", std::string(ev.sender())});
  auto target = ev.state_key();
  if (ev.type() != "m.room.member" || !target) {
    return keys;
  }
  if (*target != ev.sender()) {
    keys.push_back({"m.room.member", std::string(*target)});
  }
  const auto& content = ev.content();
  auto membership = string_member(content, "membership").value_or("");
  if (membership == "join" || membership == "invite" || membership == "knock") {
    keys.push_back({"m.room.join_rules", ""});
  }
  if (membership == "invite") {
    if (const auto* invite = member(content, "third_party_invite")) {
      if (const auto* signed_block = member(*invite, "signed")) {
        if (auto token = string_member(*signed_block, "token")) {
          keys.push_back({"m.room.third_party_invite", std::string(*token)});
        }
      }
    }
  }
  if (version.restricted_joins) {
    if (auto authoriser = string_member(content, "join_authorised_via_users_server")) {
      StateKey key{"m.room.member", std::string(*authoriser)};
      bool already = false;
      for (const auto& existing : keys) {
        already = already || existing == key;
      }
      if (!already) {
        keys.push_back(std::move(key));
      }
    }
  }
  return keys;
}

std::vector<std::string> select_auth_events(const core::RoomVersion& version, const nlohmann::json& event,
                                            const AuthState& state) {
  std::vector<std::string> ids;
  for (const auto& key : auth_types_for_event(version, event)) {
    if (const auto* current = state.get(key.type, key.state_key)) {
      auto id = EventView(*current).event_id();
      if (!id.empty()) {
        ids.emplace_back(id);
      }
    }
  }
  return ids;
}

}  // namespace ranvier::auth
