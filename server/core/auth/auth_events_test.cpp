// Auth events selection (server-server API) per room version.

#include <gtest/gtest.h>

#include "core/auth/auth_events.hpp"
#include "core/auth/auth_test_room.hpp"

namespace ranvier::auth {
namespace {

using nlohmann::json;

const core::RoomVersion& rv(std::string_view id) { return *core::find_room_version(id); }

json member_event(std::string sender, std::string target, json content) {
  return {{"type", "m.room.member"}, {"sender", sender}, {"state_key", target}, {"content", content}};
}

TEST(auth_events_selection, auth_message_needs_create_power_levels_and_sender) {
  json message = {{"type", "m.room.message"}, {"sender", "@a:x"}, {"content", json::object()}};
  std::vector<StateKey> expected{{"m.room.create", ""}, {"m.room.power_levels", ""}, {"m.room.member", "@a:x"}};
  EXPECT_EQ(auth_types_for_event(rv("10"), message), expected);
}

TEST(auth_events_selection, auth_v12_never_selects_the_create_event) {
  json message = {{"type", "m.room.message"}, {"sender", "@a:x"}, {"content", json::object()}};
  std::vector<StateKey> expected{{"m.room.power_levels", ""}, {"m.room.member", "@a:x"}};
  EXPECT_EQ(auth_types_for_event(rv("12"), message), expected);
}

TEST(auth_events_selection, auth_create_event_has_no_auth_events) {
  json create = {{"type", "m.room.create"}, {"sender", "@a:x"}, {"state_key", ""}};
  EXPECT_TRUE(auth_types_for_event(rv("1"), create).empty());
}

TEST(auth_events_selection, auth_membership_adds_target_and_join_rules) {
  auto keys = auth_types_for_event(rv("10"), member_event("@a:x", "@b:y", {{"membership", "invite"}}));
  std::vector<StateKey> expected{{"m.room.create", ""},
                                 {"m.room.power_levels", ""},
                                 {"m.room.member", "@a:x"},
                                 {"m.room.member", "@b:y"},
                                 {"m.room.join_rules", ""}};
  EXPECT_EQ(keys, expected);
  auto ban = auth_types_for_event(rv("10"), member_event("@a:x", "@b:y", {{"membership", "ban"}}));
  EXPECT_EQ(ban.size(), 4u);
}

TEST(auth_events_selection, auth_third_party_invite_token_selected) {
  auto keys = auth_types_for_event(
      rv("10"), member_event("@a:x", "@b:y",
                             {{"membership", "invite"}, {"third_party_invite", {{"signed", {{"token", "tok"}}}}}}));
  EXPECT_EQ(keys.back(), (StateKey{"m.room.third_party_invite", "tok"}));
}

TEST(auth_events_selection, auth_restricted_join_authoriser_selected_from_v8) {
  json join = member_event("@b:y", "@b:y", {{"membership", "join"}, {"join_authorised_via_users_server", "@a:x"}});
  EXPECT_EQ(auth_types_for_event(rv("8"), join).back(), (StateKey{"m.room.member", "@a:x"}));
  EXPECT_EQ(auth_types_for_event(rv("7"), join).back(), (StateKey{"m.room.join_rules", ""}));
}

TEST(auth_events_selection, auth_select_auth_events_uses_current_state) {
  testing::TestRoom room("10");
  const json& join = room.set_membership("@alice:a.org", "@alice:a.org", "join");
  json message = {{"type", "m.room.message"}, {"sender", "@alice:a.org"}, {"content", json::object()}};
  auto ids = select_auth_events(room.version(), message, room);
  std::vector<std::string> expected{room.create_id(), join.at("event_id")};
  EXPECT_EQ(ids, expected);
}

}  // namespace
}  // namespace ranvier::auth
