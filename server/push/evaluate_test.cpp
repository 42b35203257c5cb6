#include "push/evaluate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ranvier::push {
namespace {

using nlohmann::json;

constexpr const char* kUser = "@alice:example.org";

json message(std::string body, json extra_content = json::object()) {
  json content = {{"msgtype", "m.text"}, {"body", std::move(body)}};
  content.update(extra_content);
  return {{"type", "m.room.message"},
          {"sender", "@bob:example.org"},
          {"room_id", "!room:example.org"},
          {"event_id", "$e"},
          {"content", std::move(content)}};
}

class PushEvaluate : public ::testing::Test {
 protected:
  // The id of the rule that wins, or "" when none matches.
  std::string winner(const json& event) const {
    const auto match = evaluate(rules_, event, context_);
    return match ? match->rule->rule_id : "";
  }

  Ruleset rules_ = Ruleset::defaults_for(kUser);
  PushContext context_{.member_count = 5, .display_name = "Alice", .sender_power_level = 0};
};

TEST_F(PushEvaluate, PlainMessage) {
  const auto match = evaluate(rules_, message("hello"), context_);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->rule->rule_id, ".m.rule.message");
  EXPECT_EQ(match->kind, RuleKind::underride);
  EXPECT_TRUE(match->actions().notify);
  EXPECT_FALSE(match->actions().highlight);
  EXPECT_FALSE(match->actions().sound);
}

TEST_F(PushEvaluate, OwnEventsNeverNotify) {
  json event = message("hello");
  event["sender"] = kUser;
  EXPECT_EQ(winner(event), "");
}

TEST_F(PushEvaluate, MasterRuleOutranksEverything) {
  ASSERT_FALSE(rules_.put(RuleKind::override_rule, "mine", {{"actions", {"notify"}}}));
  EXPECT_EQ(winner(message("hi")), "mine");
  ASSERT_FALSE(rules_.set_enabled(RuleKind::override_rule, ".m.rule.master", true));
  const auto match = evaluate(rules_, message("hi"), context_);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->rule->rule_id, ".m.rule.master");
  EXPECT_FALSE(match->actions().notify);
}

TEST_F(PushEvaluate, SuppressNotices) {
  EXPECT_EQ(winner(message("beep", {{"msgtype", "m.notice"}})), ".m.rule.suppress_notices");
  EXPECT_EQ(winner(message("beep", {{"msgtype", "m.noticed"}})), ".m.rule.message");
}

TEST_F(PushEvaluate, InviteForMeAndOtherMemberEvents) {
  json invite = {{"type", "m.room.member"},
                 {"sender", "@bob:example.org"},
                 {"state_key", kUser},
                 {"content", {{"membership", "invite"}}}};
  const auto match = evaluate(rules_, invite, context_);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->rule->rule_id, ".m.rule.invite_for_me");
  EXPECT_EQ(match->actions().sound, "default");
  invite["state_key"] = "@carol:example.org";
  EXPECT_EQ(winner(invite), ".m.rule.member_event");
  invite["state_key"] = kUser;
  invite["content"]["membership"] = "join";
  EXPECT_EQ(winner(invite), ".m.rule.member_event");
}

TEST_F(PushEvaluate, UserMention) {
  const json mentions = {{"m.mentions", {{"user_ids", {"@carol:example.org", kUser}}}}};
  const auto match = evaluate(rules_, message("hey", mentions), context_);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->rule->rule_id, ".m.rule.is_user_mention");
  EXPECT_TRUE(match->actions().highlight);
  EXPECT_EQ(match->actions().sound, "default");
  EXPECT_EQ(winner(message("hey", {{"m.mentions", {{"user_ids", {"@alice:example.org2"}}}}})),
            ".m.rule.message");
  EXPECT_EQ(winner(message("hey", {{"m.mentions", {{"user_ids", kUser}}}})), ".m.rule.message");
  // The escaped dot means a key named "m.mentions", not a nested "m" object.
  EXPECT_EQ(winner(message("hey", {{"m", {{"mentions", {{"user_ids", {kUser}}}}}}})),
            ".m.rule.message");
}

TEST_F(PushEvaluate, RoomMentionNeedsNotificationPermission) {
  const json mention = {{"m.mentions", {{"room", true}}}};
  EXPECT_EQ(winner(message("all", mention)), ".m.rule.message");  // power 0 < default 50
  context_.sender_power_level = 50;
  EXPECT_EQ(winner(message("all", mention)), ".m.rule.is_room_mention");
  const json levels = {{"room", 100}};
  context_.notification_levels = &levels;
  EXPECT_EQ(winner(message("all", mention)), ".m.rule.message");
  context_.sender_power_level = 100;
  EXPECT_EQ(winner(message("all", mention)), ".m.rule.is_room_mention");
  const json string_levels = {{"room", "101"}};  // older room versions allow strings
  context_.notification_levels = &string_levels;
  EXPECT_EQ(winner(message("all", mention)), ".m.rule.message");
  // `true` only: the string "true" and 1 are not casts of it.
  EXPECT_EQ(winner(message("all", {{"m.mentions", {{"room", "true"}}}})), ".m.rule.message");
  EXPECT_EQ(winner(message("all", {{"m.mentions", {{"room", 1}}}})), ".m.rule.message");
}

TEST_F(PushEvaluate, TombstoneOnlyAsStateEvent) {
  json tombstone = {{"type", "m.room.tombstone"},
                    {"sender", "@bob:example.org"},
                    {"state_key", ""},
                    {"content", {{"body", "moved"}}}};
  const auto match = evaluate(rules_, tombstone, context_);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->rule->rule_id, ".m.rule.tombstone");
  EXPECT_TRUE(match->actions().highlight);
  tombstone.erase("state_key");
  EXPECT_EQ(winner(tombstone), "");
}

TEST_F(PushEvaluate, SilencedEventKinds) {
  const json reaction = {{"type", "m.reaction"}, {"sender", "@bob:example.org"}};
  EXPECT_EQ(winner(reaction), ".m.rule.reaction");
  json acl = {{"type", "m.room.server_acl"}, {"sender", "@bob:example.org"}, {"state_key", ""}};
  EXPECT_EQ(winner(acl), ".m.rule.room.server_acl");
  const json edit = {{"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", "$x"}}}};
  EXPECT_EQ(winner(message("* fixed", edit)), ".m.rule.suppress_edits");
  EXPECT_EQ(winner(message("* fixed", {{"m.relates_to", {{"rel_type", "m.thread"}}}})),
            ".m.rule.message");
  EXPECT_EQ(evaluate(rules_, acl, context_)->actions().notify, false);
}

TEST_F(PushEvaluate, CallsAndOneToOneRooms) {
  const json call = {{"type", "m.call.invite"}, {"sender", "@bob:example.org"}};
  const auto call_match = evaluate(rules_, call, context_);
  ASSERT_TRUE(call_match);
  EXPECT_EQ(call_match->rule->rule_id, ".m.rule.call");
  EXPECT_EQ(call_match->actions().sound, "ring");
  const json encrypted = {{"type", "m.room.encrypted"}, {"sender", "@bob:example.org"}};
  EXPECT_EQ(winner(encrypted), ".m.rule.encrypted");
  context_.member_count = 2;
  EXPECT_EQ(winner(encrypted), ".m.rule.encrypted_room_one_to_one");
  EXPECT_EQ(winner(message("hi")), ".m.rule.room_one_to_one");
  EXPECT_EQ(evaluate(rules_, message("hi"), context_)->actions().sound, "default");
  context_.member_count = 3;
  EXPECT_EQ(winner(message("hi")), ".m.rule.message");
  // Unrelated event types match no default rule.
  EXPECT_EQ(winner(json{{"type", "m.room.topic"}, {"sender", "@bob:example.org"}}), "");
}

TEST_F(PushEvaluate, MemberCountComparisons) {
  const auto holds = [&](const char* is, std::int64_t members) {
    auto condition = parse_condition(json{{"kind", "room_member_count"}, {"is", is}});
    EXPECT_TRUE(condition);
    context_.member_count = members;
    return condition_matches(*condition, json::object(), context_);
  };
  EXPECT_TRUE(holds("2", 2));
  EXPECT_FALSE(holds("2", 3));
  EXPECT_TRUE(holds("==10", 10));
  EXPECT_TRUE(holds("<10", 9));
  EXPECT_FALSE(holds("<10", 10));
  EXPECT_TRUE(holds(">10", 11));
  EXPECT_FALSE(holds(">10", 10));
  EXPECT_TRUE(holds("<=10", 10));
  EXPECT_FALSE(holds("<=10", 11));
  EXPECT_TRUE(holds(">=10", 10));
  EXPECT_FALSE(holds(">=10", 9));
}

TEST_F(PushEvaluate, DisplayNameCondition) {
  ASSERT_FALSE(rules_.put(RuleKind::override_rule, "name",
                          {{"actions", {"notify", json{{"set_tweak", "highlight"}}}},
                           {"conditions", {json{{"kind", "contains_display_name"}}}}}));
  EXPECT_EQ(winner(message("hi alice!")), "name");
  EXPECT_EQ(winner(message("ALICE")), "name");
  EXPECT_EQ(winner(message("hi malice")), ".m.rule.message");
  EXPECT_EQ(winner(message("alice_b")), ".m.rule.message");
  context_.display_name = "";
  EXPECT_EQ(winner(message("hi alice!")), ".m.rule.message");
}

TEST_F(PushEvaluate, ContentRoomAndSenderRules) {
  ASSERT_FALSE(rules_.put(RuleKind::content, "cake",
                          {{"actions", {"notify", json{{"set_tweak", "sound"}, {"value", "c"}}}},
                           {"pattern", "cake*lie"}}));
  EXPECT_EQ(winner(message("The Cake is a LIE.")), "cake");
  EXPECT_EQ(winner(message("cake lies")), ".m.rule.message");
  ASSERT_FALSE(rules_.put(RuleKind::room, "!room:example.org", {{"actions", json::array()}}));
  EXPECT_EQ(winner(message("plain")), "!room:example.org");
  EXPECT_EQ(winner(message("the cake is a lie")), "cake");  // content outranks room
  ASSERT_FALSE(rules_.put(RuleKind::sender, "@bob:example.org", {{"actions", {"notify"}}}));
  EXPECT_EQ(winner(message("plain")), "!room:example.org");  // room outranks sender
  ASSERT_FALSE(rules_.remove(RuleKind::room, "!room:example.org"));
  EXPECT_EQ(winner(message("plain")), "@bob:example.org");
  // Overrides still win over content rules.
  EXPECT_EQ(winner(message("the cake is a lie", {{"msgtype", "m.notice"}})),
            ".m.rule.suppress_notices");
}

TEST_F(PushEvaluate, DisabledAndUnknownConditionRulesNeverMatch) {
  ASSERT_FALSE(rules_.put(RuleKind::override_rule, "future",
                          {{"actions", {"notify"}},
                           {"conditions", {json{{"kind", "org.example.new"}}}}}));
  EXPECT_EQ(winner(message("x")), ".m.rule.message");
  ASSERT_FALSE(rules_.set_enabled(RuleKind::underride, ".m.rule.message", false));
  EXPECT_EQ(winner(message("x")), "");
}

TEST_F(PushEvaluate, PropertyIsAndContainsAreExact) {
  const auto rule_with = [&](json condition) {
    Ruleset set = Ruleset::defaults_for(kUser);
    EXPECT_FALSE(set.put(RuleKind::override_rule, "r",
                         {{"actions", {"notify"}}, {"conditions", json::array({condition})}}));
    return set;
  };
  const json create = json::parse(R"({"type": "m.room.create", "sender": "@bob:example.org",
      "state_key": "", "content": {"m.federate": true, "n": 5, "none": null,
      "alt_aliases": ["#somewhere:example.org", "#myroom:example.com", 7, {"x": 1}]}})");
  const auto wins = [&](const Ruleset& set) {
    const auto match = evaluate(set, create, context_);
    return match && match->rule->rule_id == "r";
  };
  const auto is = [](const char* key, json value) {
    return json{{"kind", "event_property_is"}, {"key", key}, {"value", std::move(value)}};
  };
  const auto contains = [](const char* key, json value) {
    return json{{"kind", "event_property_contains"}, {"key", key}, {"value", std::move(value)}};
  };
  EXPECT_TRUE(wins(rule_with(is("content.m\\.federate", true))));
  EXPECT_FALSE(wins(rule_with(is("content.m\\.federate", "true"))));
  EXPECT_FALSE(wins(rule_with(is("content.m\\.federate", 1))));
  EXPECT_TRUE(wins(rule_with(is("content.n", 5))));
  EXPECT_FALSE(wins(rule_with(is("content.n", "5"))));
  EXPECT_TRUE(wins(rule_with(is("content.none", nullptr))));
  EXPECT_FALSE(wins(rule_with(is("content.missing", nullptr))));
  EXPECT_FALSE(wins(rule_with(is("content", nullptr))));
  EXPECT_TRUE(wins(rule_with(contains("content.alt_aliases", "#myroom:example.com"))));
  EXPECT_TRUE(wins(rule_with(contains("content.alt_aliases", 7))));
  EXPECT_FALSE(wins(rule_with(contains("content.alt_aliases", ":example.com"))));
  EXPECT_FALSE(wins(rule_with(contains("content.n", 5))));
}

TEST_F(PushEvaluate, EventMatchNeedsAStringValue) {
  const auto set_with = [&](const char* key, const char* pattern) {
    Ruleset set = Ruleset::defaults_for(kUser);
    EXPECT_FALSE(set.put(RuleKind::override_rule, "r",
                         {{"actions", {"notify"}},
                          {"conditions", {json{{"kind", "event_match"},
                                               {"key", key},
                                               {"pattern", pattern}}}}}));
    return set;
  };
  const json topic = json::parse(
      R"({"type": "m.room.topic", "sender": "@bob:example.org", "content": {"topic": null, "n": 1}})");
  EXPECT_FALSE(evaluate(set_with("content.topic", "*"), topic, context_));
  EXPECT_FALSE(evaluate(set_with("content.n", "*"), topic, context_));
  EXPECT_FALSE(evaluate(set_with("content.missing", "*"), topic, context_));
  EXPECT_TRUE(evaluate(set_with("type", "m.room.*"), topic, context_));
  EXPECT_FALSE(evaluate(set_with("type", "m.room"), topic, context_));  // whole value
}

TEST_F(PushEvaluate, NonObjectEventsMatchNothing) {
  EXPECT_FALSE(evaluate(rules_, json::array(), context_));
  EXPECT_FALSE(evaluate(rules_, json("m.room.message"), context_));
}

}  // namespace
}  // namespace ranvier::push
