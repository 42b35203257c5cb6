#include <gtest/gtest.h>

#include "core/auth/event_fields.hpp"
#include "core/auth/event_view.hpp"

namespace ranvier::auth {
namespace {

using nlohmann::json;

TEST(auth_event_view, auth_reads_v1_reference_pairs_and_v3_lists) {
  json v1 = {{"auth_events", json::array({json::array({"$a:x", {{"sha256", "h"}}}), json::array({"$b:x", {{"sha256", "h"}}})})},
            {"prev_events", json::array()}};
  EXPECT_EQ(EventView(v1).auth_event_ids(), (std::vector<std::string_view>{"$a:x", "$b:x"}));
  json v3 = {{"auth_events", {"$a", "$b"}}, {"prev_events", {"$c"}}};
  EXPECT_EQ(EventView(v3).auth_event_ids(), (std::vector<std::string_view>{"$a", "$b"}));
  EXPECT_EQ(EventView(v3).prev_event_ids(), (std::vector<std::string_view>{"$c"}));
}

TEST(auth_event_view, auth_mistyped_fields_read_as_empty) {
  json odd = {{"type", 5}, {"state_key", json::array()}, {"content", "x"}, {"auth_events", "no"}, {"depth", "7"}};
  EventView view(odd);
  EXPECT_EQ(view.type(), "");
  EXPECT_FALSE(view.state_key());
  EXPECT_TRUE(view.content().is_object());
  EXPECT_TRUE(view.auth_event_ids().empty());
  EXPECT_EQ(view.depth(), 0);
  json not_object = json::array();
  EXPECT_EQ(EventView(not_object).sender(), "");
}

TEST(auth_event_view, auth_redacts_top_level_or_in_content) {
  json top = {{"redacts", "$a"}};
  json inner = {{"content", {{"redacts", "$b"}}}};
  EXPECT_EQ(EventView(top).redacts(), "$a");
  EXPECT_EQ(EventView(inner).redacts(), "$b");
}

// member() searches the object with its own key comparison; it must agree with the order
// std::string gives the object's keys (prefixes, long shared prefixes, bytes above 0x7f).
TEST(auth_event_view, auth_member_finds_every_key_and_no_other) {
  std::vector<std::string> keys = {"",          "a",         "ab",        "abcdefgh",  "abcdefghi", "abcdefgi",
                                   "abcdefgh\xff", "@u1:example.org", "@u10:example.org", "@u2:example.org",
                                   "\xc3\xa9t\xc3\xa9", "users",     "users_default", "z"};
  json object = json::object();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    object[keys[i]] = i;
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto* found = member(object, keys[i]);
    ASSERT_NE(found, nullptr) << keys[i];
    EXPECT_EQ(found->get<std::size_t>(), i);
  }
  for (std::string absent : {"abcdefg", "abcdefghij", "@u1:example.or", "@u3:example.org", "user", "\xff", "b"}) {
    EXPECT_EQ(member(object, absent), nullptr) << absent;
  }
  EXPECT_EQ(member(json::array({1}), "a"), nullptr);
}

TEST(auth_event_view, auth_server_of_ids) {
  EXPECT_EQ(server_of("@a:example.org:8448"), "example.org:8448");
  EXPECT_EQ(server_of("$hashonly"), "");
}

// EventFields must read exactly what EventView reads, since the rules moved from one to the other.
TEST(auth_event_fields, auth_fields_match_event_view) {
  json pdu = {{"type", "m.room.member"},        {"sender", "@a:x"},           {"state_key", "@b:x"},
              {"room_id", "!r:x"},              {"event_id", "$e:x"},         {"prev_events", {"$p"}},
              {"content", {{"membership", "join"}}}, {"origin_server_ts", 5}};
  auto f = read_event_fields(pdu);
  EventView view(pdu);
  EXPECT_EQ(f.pdu, &pdu);
  EXPECT_EQ(f.type, view.type());
  EXPECT_EQ(f.sender, view.sender());
  EXPECT_TRUE(f.is_state);
  EXPECT_EQ(f.state_key, *view.state_key());
  EXPECT_TRUE(f.has_room_id);
  EXPECT_EQ(f.room_id, *view.room_id());
  EXPECT_EQ(f.event_id(), view.event_id());
  EXPECT_EQ(f.content, &view.content());
  EXPECT_EQ(f.prev_event_count(), 1U);
  EXPECT_EQ(f.membership(), "join");
  EXPECT_FALSE(f.join_rule());
}

TEST(auth_event_fields, auth_fields_mistyped_read_as_empty) {
  json odd = {{"type", 5}, {"state_key", json::array()}, {"content", "x"}, {"room_id", 3}, {"prev_events", "no"}};
  auto f = read_event_fields(odd);
  EXPECT_EQ(f.type, "");
  EXPECT_FALSE(f.is_state);
  ASSERT_NE(f.content, nullptr);
  EXPECT_TRUE(f.content->is_object());
  EXPECT_TRUE(f.has_room_id);
  EXPECT_EQ(f.room_id, "");
  EXPECT_EQ(f.prev_event_count(), 0U);
  json not_object = json::array();
  auto empty = read_event_fields(not_object);
  EXPECT_EQ(empty.sender, "");
  EXPECT_FALSE(empty.has_room_id);
  EXPECT_TRUE(empty.content->is_object());
}

// A state set may hold an event of another type under a member or join-rules key; the rules
// then read its content as they always did.
TEST(auth_event_fields, auth_content_strings_of_other_types_are_looked_up) {
  json topic = {{"type", "m.room.topic"}, {"content", {{"membership", "ban"}, {"join_rule", "public"}}}};
  auto f = read_event_fields(topic);
  EXPECT_EQ(f.membership(), "ban");
  EXPECT_EQ(f.join_rule(), "public");
  json rules = {{"type", "m.room.join_rules"}, {"content", {{"join_rule", 1}}}};
  EXPECT_FALSE(read_event_fields(rules).join_rule());
}

TEST(auth_event_fields, auth_other_members_reach_the_callback) {
  json pdu = {{"type", "t"}, {"depth", 3}, {"hashes", json::object()}};
  std::vector<std::string> seen;
  read_event_fields(pdu, [&](std::string_view key, const json&) { seen.emplace_back(key); });
  EXPECT_EQ(seen, (std::vector<std::string>{"depth", "hashes"}));
}

}  // namespace
}  // namespace ranvier::auth
