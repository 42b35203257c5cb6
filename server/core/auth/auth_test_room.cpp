#include "core/auth/auth_test_room.hpp"

#include "core/auth/auth_events.hpp"
#include "core/auth/event_view.hpp"

namespace ranvier::auth::testing {

TestRoom::TestRoom(std::string_view version, std::string creator, nlohmann::json create_content)
    : version_(core::find_room_version(version)) {
  nlohmann::json create = {{"type", "m.room.create"}, {"sender", creator}, {"state_key", ""},
                           {"content", std::move(create_content)}, {"origin_server_ts", 0},
                           {"depth", 1}, {"prev_events", nlohmann::json::array()},
                           {"auth_events", nlohmann::json::array()}};
  create["content"]["room_version"] = std::string(version);
  if (!version_->implicit_room_creator && !create["content"].contains("creator")) {
    create["content"]["creator"] = creator;
  }
  if (version_->room_id_is_create_hash) {
    create_id_ = "$create";
    room_id_ = "!create";
  } else {
    create_id_ = "$create:a.org";
    room_id_ = "!room:" + std::string(server_of(creator));
    create["room_id"] = room_id_;
  }
  create["event_id"] = create_id_;
  apply(std::move(create));
}

nlohmann::json TestRoom::make(std::string_view type, std::string_view sender, std::optional<std::string_view> state_key,
                              nlohmann::json content) const {
  nlohmann::json event = {{"type", type},
                          {"sender", sender},
                          {"room_id", room_id_},
                          {"content", std::move(content)},
                          {"origin_server_ts", counter_ + 1},
                          {"depth", counter_ + 2},
                          {"event_id", "$e" + std::to_string(counter_ + 1) + ":" + std::string(server_of(sender))},
                          {"prev_events", nlohmann::json::array({last_event_})}};
  if (state_key) {
    event["state_key"] = *state_key;
  }
  event["auth_events"] = select_auth_events(*version_, event, *this);
  return event;
}

nlohmann::json TestRoom::member(std::string_view sender, std::string_view target, std::string_view membership,
                                nlohmann::json extra) const {
  extra["membership"] = membership;
  return make("m.room.member", sender, target, std::move(extra));
}

const nlohmann::json& TestRoom::apply(nlohmann::json event) {
  ++counter_;
  std::string id = event.at("event_id");
  if (event.contains("state_key")) {
    state_[{event.at("type"), event.at("state_key")}] = id;
  }
  last_event_ = id;
  store_.add(std::move(event));
  return *store_.fetch(id);
}

const nlohmann::json& TestRoom::add(std::string_view type, std::string_view sender,
                                    std::optional<std::string_view> state_key, nlohmann::json content) {
  return apply(make(type, sender, state_key, std::move(content)));
}

const nlohmann::json& TestRoom::set_membership(std::string_view sender, std::string_view target,
                                               std::string_view membership) {
  return apply(member(sender, target, membership));
}

AuthDecision TestRoom::check(const nlohmann::json& event, const SignatureChecks& signatures) const {
  return check_against_state(*version_, event, *this, signatures);
}

AuthDecision TestRoom::check_by_auth_events(const nlohmann::json& event, const SignatureChecks& signatures) const {
  return authorize_by_auth_events(*version_, event, store_, signatures);
}

const nlohmann::json* TestRoom::get(std::string_view type, std::string_view state_key) const {
  auto it = state_.find(std::pair(std::string(type), std::string(state_key)));
  return it == state_.end() ? nullptr : store_.fetch(it->second);
}

}  // namespace ranvier::auth::testing
