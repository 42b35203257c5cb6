#include "push/default_rules.hpp"
#include "push/rule.hpp"
#include "push/ruleset.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ranvier::push {
namespace {

using nlohmann::json;

constexpr const char* kUser = "@alice:example.org";

std::vector<std::string> ids(const json& rules) {
  std::vector<std::string> out;
  for (const json& rule : rules) {
    out.push_back(rule.at("rule_id").get<std::string>());
  }
  return out;
}

RuleErrorCode put_error(Ruleset& set, RuleKind kind, std::string_view id, const json& body) {
  const auto error = set.put(kind, id, body);
  EXPECT_TRUE(error.has_value()) << id << " " << body.dump();
  return error ? error->code : RuleErrorCode::not_found;
}

TEST(PushDefaults, SpecOrderAndShape) {
  const json global = Ruleset::defaults_for(kUser).to_json().at("global");
  EXPECT_EQ(ids(global.at("override")),
            (std::vector<std::string>{".m.rule.master", ".m.rule.suppress_notices",
                                      ".m.rule.invite_for_me", ".m.rule.member_event",
                                      ".m.rule.is_user_mention", ".m.rule.is_room_mention",
                                      ".m.rule.tombstone", ".m.rule.reaction",
                                      ".m.rule.room.server_acl", ".m.rule.suppress_edits"}));
  EXPECT_EQ(ids(global.at("underride")),
            (std::vector<std::string>{".m.rule.call", ".m.rule.encrypted_room_one_to_one",
                                      ".m.rule.room_one_to_one", ".m.rule.message",
                                      ".m.rule.encrypted"}));
  EXPECT_TRUE(global.at("content").empty());
  EXPECT_TRUE(global.at("room").empty());
  EXPECT_TRUE(global.at("sender").empty());
  for (const char* kind : {"override", "underride"}) {
    for (const json& rule : global.at(kind)) {
      EXPECT_TRUE(rule.at("default").get<bool>());
      EXPECT_EQ(rule.at("enabled").get<bool>(), rule.at("rule_id") != ".m.rule.master");
      EXPECT_TRUE(rule.at("actions").is_array());
      EXPECT_TRUE(rule.at("conditions").is_array());
    }
  }
}

TEST(PushDefaults, UserSpecificRulesNameTheUser) {
  const json defaults = default_rules_json(kUser);
  const json& invite = defaults.at("override").at(2);
  EXPECT_EQ(invite.at("conditions").at(2),
            (json{{"kind", "event_match"}, {"key", "state_key"}, {"pattern", kUser}}));
  const json& mention = defaults.at("override").at(4);
  EXPECT_EQ(mention.at("conditions").at(0),
            (json{{"kind", "event_property_contains"},
                  {"key", "content.m\\.mentions.user_ids"},
                  {"value", kUser}}));
  EXPECT_EQ(mention.at("actions"),
            json::parse(R"(["notify", {"set_tweak": "sound", "value": "default"},
                                      {"set_tweak": "highlight"}])"));
}

TEST(PushRuleParse, ValidationErrors) {
  Ruleset set = Ruleset::defaults_for(kUser);
  const json notify = {{"actions", {"notify"}}};
  EXPECT_EQ(put_error(set, RuleKind::override_rule, ".mine", notify), RuleErrorCode::bad_rule_id);
  EXPECT_EQ(put_error(set, RuleKind::override_rule, "", notify), RuleErrorCode::bad_rule_id);
  EXPECT_EQ(put_error(set, RuleKind::room, "not-a-room", notify), RuleErrorCode::bad_rule_id);
  EXPECT_EQ(put_error(set, RuleKind::sender, "bob", notify), RuleErrorCode::bad_rule_id);
  EXPECT_EQ(put_error(set, RuleKind::override_rule, "x", json::array()),
            RuleErrorCode::malformed_rule);
  EXPECT_EQ(put_error(set, RuleKind::override_rule, "x", json::object()),
            RuleErrorCode::malformed_rule);
  EXPECT_EQ(put_error(set, RuleKind::content, "x", notify), RuleErrorCode::malformed_rule);
  EXPECT_EQ(put_error(set, RuleKind::override_rule, "x",
                      {{"actions", {"notify"}}, {"conditions", "nope"}}),
            RuleErrorCode::malformed_rule);
  EXPECT_EQ(put_error(set, RuleKind::override_rule, "x", {{"actions", {"explode"}}}),
            RuleErrorCode::unknown_action);
  EXPECT_EQ(put_error(set, RuleKind::override_rule, "x", {{"actions", {json{{"foo", 1}}}}}),
            RuleErrorCode::unknown_action);
  const auto bad_condition = [&](json condition) {
    return put_error(set, RuleKind::underride, "x",
                     {{"actions", json::array()}, {"conditions", json::array({condition})}});
  };
  EXPECT_EQ(bad_condition(json{{"key", "type"}}), RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json{{"kind", "event_match"}, {"key", "type"}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json{{"kind", "event_property_is"}, {"key", "a"}, {"value", {1, 2}}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json{{"kind", "event_property_is"}, {"key", "a"}, {"value", 1.5}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(
                json{{"kind", "event_property_is"}, {"key", "a"}, {"value", 9007199254740992}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json{{"kind", "room_member_count"}, {"is", "=>2"}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json{{"kind", "room_member_count"}, {"is", ""}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json{{"kind", "room_member_count"}, {"is", 2}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json{{"kind", "sender_notification_permission"}}),
            RuleErrorCode::malformed_condition);
  EXPECT_EQ(bad_condition(json("event_match")), RuleErrorCode::malformed_condition);
  // None of the refused rules was stored.
  EXPECT_EQ(set.to_json(), Ruleset::defaults_for(kUser).to_json());
}

TEST(PushRuleParse, HistoricalActionsAreStrippedAndUnknownConditionsKept) {
  Ruleset set = Ruleset::defaults_for(kUser);
  ASSERT_FALSE(set.put(RuleKind::override_rule, "quiet",
                       {{"actions", {"dont_notify", "coalesce"}},
                        {"conditions", {json{{"kind", "org.example.future"}, {"x", 1}}}}}));
  const Rule* rule = set.find(RuleKind::override_rule, "quiet");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->actions, json::array());
  EXPECT_EQ(rule_to_json(RuleKind::override_rule, *rule).at("conditions").at(0).at("kind"),
            "org.example.future");
}

TEST(PushRuleParse, ActionSummary) {
  const auto actions = parse_actions(json::parse(
      R"(["notify", {"set_tweak": "sound", "value": "ring"}, {"set_tweak": "highlight", "value": false},
          {"set_tweak": "org.example.light", "value": "blue"}])"));
  ASSERT_TRUE(actions);
  const ActionSummary summary = summarize_actions(*actions);
  EXPECT_TRUE(summary.notify);
  EXPECT_FALSE(summary.highlight);
  EXPECT_EQ(summary.sound, "ring");
  EXPECT_EQ(summary.tweaks.at("org.example.light"), "blue");
}

TEST(PushRuleset, UserRulesPrecedeDefaultsExceptMaster) {
  Ruleset set = Ruleset::defaults_for(kUser);
  ASSERT_FALSE(set.put(RuleKind::override_rule, "mine", {{"actions", {"notify"}}}));
  ASSERT_FALSE(set.put(RuleKind::underride, "low", {{"actions", {"notify"}}}));
  const json global = set.to_json().at("global");
  EXPECT_EQ(ids(global.at("override")).at(0), ".m.rule.master");
  EXPECT_EQ(ids(global.at("override")).at(1), "mine");
  EXPECT_EQ(ids(global.at("override")).at(2), ".m.rule.suppress_notices");
  EXPECT_EQ(ids(global.at("underride")).at(0), "low");
  EXPECT_FALSE(global.at("override").at(1).at("default").get<bool>());
}

TEST(PushRuleset, BeforeAndAfterInsertion) {
  Ruleset set = Ruleset::defaults_for(kUser);
  const auto content = [](const char* pattern) {
    return json{{"actions", {"notify"}}, {"pattern", pattern}};
  };
  ASSERT_FALSE(set.put(RuleKind::content, "a", content("a")));
  ASSERT_FALSE(set.put(RuleKind::content, "b", content("b")));  // new rules go first
  EXPECT_EQ(ids(set.kind_to_json(RuleKind::content)), (std::vector<std::string>{"b", "a"}));
  ASSERT_FALSE(set.put(RuleKind::content, "c", content("c"), std::nullopt, "a"));
  ASSERT_FALSE(set.put(RuleKind::content, "d", content("d"), "a"));
  EXPECT_EQ(ids(set.kind_to_json(RuleKind::content)),
            (std::vector<std::string>{"b", "d", "a", "c"}));
  // Moving an existing rule.
  ASSERT_FALSE(set.put(RuleKind::content, "c", content("c2"), "b"));
  EXPECT_EQ(ids(set.kind_to_json(RuleKind::content)),
            (std::vector<std::string>{"c", "b", "d", "a"}));
  EXPECT_EQ(set.find(RuleKind::content, "c")->pattern->pattern(), "c2");
  // Replacing without an anchor keeps the place.
  ASSERT_FALSE(set.put(RuleKind::content, "d", content("d2")));
  EXPECT_EQ(ids(set.kind_to_json(RuleKind::content)),
            (std::vector<std::string>{"c", "b", "d", "a"}));
  // Anchors must be user rules of the same kind.
  EXPECT_EQ(set.put(RuleKind::content, "e", content("e"), "nope")->code, RuleErrorCode::not_found);
  EXPECT_EQ(set.put(RuleKind::override_rule, "e", {{"actions", json::array()}},
                    ".m.rule.suppress_notices")
                ->code,
            RuleErrorCode::not_found);
  EXPECT_EQ(set.put(RuleKind::content, "a", content("a"), "a")->code, RuleErrorCode::bad_rule_id);
}

TEST(PushRuleset, EnableActionsAndRemove) {
  Ruleset set = Ruleset::defaults_for(kUser);
  ASSERT_FALSE(set.set_enabled(RuleKind::override_rule, ".m.rule.master", true));
  EXPECT_TRUE(set.find(RuleKind::override_rule, ".m.rule.master")->enabled);
  ASSERT_FALSE(set.set_actions(RuleKind::underride, ".m.rule.message",
                               json::parse(R"(["notify", {"set_tweak": "sound", "value": "x"}])")));
  EXPECT_EQ(set.find(RuleKind::underride, ".m.rule.message")->summary.sound, "x");
  EXPECT_EQ(set.set_actions(RuleKind::underride, ".m.rule.message", json{{"notify", 1}})->code,
            RuleErrorCode::malformed_rule);
  EXPECT_EQ(set.set_enabled(RuleKind::content, "missing", false)->code, RuleErrorCode::not_found);
  EXPECT_EQ(set.remove(RuleKind::underride, ".m.rule.message")->code, RuleErrorCode::default_rule);
  EXPECT_EQ(set.remove(RuleKind::underride, "missing")->code, RuleErrorCode::not_found);
  ASSERT_FALSE(set.put(RuleKind::room, "!room:example.org", {{"actions", json::array()}}));
  ASSERT_FALSE(set.set_enabled(RuleKind::room, "!room:example.org", false));
  // PUT again keeps the enabled state (the body cannot change it).
  ASSERT_FALSE(set.put(RuleKind::room, "!room:example.org", {{"actions", {"notify"}}}));
  EXPECT_FALSE(set.find(RuleKind::room, "!room:example.org")->enabled);
  ASSERT_FALSE(set.remove(RuleKind::room, "!room:example.org"));
  EXPECT_EQ(set.find(RuleKind::room, "!room:example.org"), nullptr);
}

TEST(PushRuleset, JsonRoundTrip) {
  Ruleset set = Ruleset::defaults_for(kUser);
  ASSERT_FALSE(set.put(RuleKind::sender, "@spam:example.org", {{"actions", json::array()}}));
  ASSERT_FALSE(set.put(RuleKind::content, "cake", {{"actions", {"notify"}}, {"pattern", "cake"}}));
  ASSERT_FALSE(set.set_enabled(RuleKind::override_rule, ".m.rule.suppress_notices", false));
  ASSERT_FALSE(set.set_actions(RuleKind::underride, ".m.rule.encrypted", json::array()));
  const json stored = set.to_json();
  auto restored = Ruleset::from_json(kUser, stored);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(restored->to_json(), stored);
  // The inner object is accepted too; unknown server defaults are dropped.
  json inner = stored.at("global");
  inner["override"].push_back(
      json{{"rule_id", ".org.gone"}, {"default", true}, {"enabled", true}, {"actions", json::array()}});
  auto from_inner = Ruleset::from_json(kUser, inner);
  ASSERT_TRUE(from_inner);
  EXPECT_EQ(from_inner->to_json(), stored);
}

TEST(PushRuleset, FromJsonRejectsBadInput) {
  EXPECT_EQ(Ruleset::from_json(kUser, json::array()).error().code, RuleErrorCode::malformed_rule);
  EXPECT_EQ(Ruleset::from_json(kUser, json{{"global", {{"middle", json::array()}}}}).error().code,
            RuleErrorCode::unknown_kind);
  EXPECT_EQ(Ruleset::from_json(kUser, json{{"global", {{"override", {json{{"x", 1}}}}}}})
                .error()
                .code,
            RuleErrorCode::malformed_rule);
  const json duplicate = {{"rule_id", "a"}, {"actions", json::array()}};
  EXPECT_EQ(
      Ruleset::from_json(kUser, json{{"override", {duplicate, duplicate}}}).error().code,
      RuleErrorCode::bad_rule_id);
}

}  // namespace
}  // namespace ranvier::push
