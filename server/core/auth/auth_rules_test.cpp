// One test per authorization rule and per room-version difference. Each test names the rule
// number the spec gives it in that version (content/rooms/*.md) and checks `rule_number` agrees.

#include <gtest/gtest.h>

#include "core/auth/auth_test_room.hpp"
#include "core/auth/rules.hpp"

namespace ranvier::auth {
namespace {

using nlohmann::json;
using testing::TestRoom;
using R = AuthRule;

constexpr std::string_view alice = "@alice:a.org";
constexpr std::string_view bob = "@bob:b.org";
constexpr std::string_view carol = "@carol:c.org";
constexpr std::string_view dave = "@dave:d.org";

// Expects the decision, its rule and the rule's number in the room's version.
#define EXPECT_RULE(room, decision, allowed_, rule_, number_)                \
  do {                                                                      \
    auto d_ = (decision);                                                   \
    EXPECT_EQ(d_.allowed, allowed_) << describe(d_.rule);                   \
    EXPECT_EQ(d_.rule, rule_) << describe(d_.rule);                         \
    EXPECT_EQ(rule_number(d_.rule, (room).version()), number_);             \
  } while (0)

// alice creates and joins; power levels (alice 100 unless v12, bob 50); join rule; bob joins.
TestRoom standard_room(std::string_view version, std::string_view join_rule = "public") {
  TestRoom room(version);
  room.set_membership(alice, alice, "join");
  json users = {{std::string(bob), 50}};
  if (!room.version().privileged_creators) {
    users[std::string(alice)] = 100;
  }
  room.add("m.room.power_levels", alice, "", {{"users", users}});
  room.add("m.room.join_rules", alice, "", {{"join_rule", "public"}});
  room.set_membership(bob, bob, "join");
  if (join_rule != "public") {
    room.add("m.room.join_rules", alice, "", {{"join_rule", join_rule}});
  }
  return room;
}

SignatureChecks accept_signatures() {
  return {[](const json&, std::string_view) { return true; }, [](const json&, std::string_view) { return true; }};
}

// ---- rule 1: m.room.create ------------------------------------------------------------------

TEST(auth_rules, v1_rule_1_1_create_with_prev_events) {
  TestRoom room("1");
  json create = *room.get("m.room.create", "");
  create["prev_events"] = json::array({json::array({"$x:a.org", json::object()})});
  EXPECT_RULE(room, room.check(create), false, R::create_has_prev_events, "1.1");
}

TEST(auth_rules, v11_rule_1_2_create_room_id_domain_mismatch) {
  TestRoom room("11");
  json create = *room.get("m.room.create", "");
  create["room_id"] = "!room:elsewhere.org";
  EXPECT_RULE(room, room.check(create), false, R::create_room_id_domain_mismatch, "1.2");
}

TEST(auth_rules, v12_rule_1_2_create_with_room_id) {
  TestRoom room("12");
  json create = *room.get("m.room.create", "");
  create["room_id"] = "!create";
  EXPECT_RULE(room, room.check(create), false, R::create_has_room_id, "1.2");
}

TEST(auth_rules, v10_rule_1_3_create_unknown_room_version) {
  TestRoom room("10");
  json create = *room.get("m.room.create", "");
  create["content"]["room_version"] = "99";
  EXPECT_RULE(room, room.check(create), false, R::create_unknown_room_version, "1.3");
}

TEST(auth_rules, v10_rule_1_4_create_without_creator) {
  TestRoom room("10");
  json create = *room.get("m.room.create", "");
  create["content"].erase("creator");
  EXPECT_RULE(room, room.check(create), false, R::create_missing_creator, "1.4");
}

TEST(auth_rules, v11_rule_1_4_create_without_creator_allowed) {
  TestRoom room("11");
  json create = *room.get("m.room.create", "");
  EXPECT_FALSE(create["content"].contains("creator"));
  EXPECT_RULE(room, room.check(create), true, R::create_allowed, "1.4");
}

TEST(auth_rules, v12_rule_1_4_additional_creators_must_be_user_ids) {
  TestRoom room("12");
  json create = *room.get("m.room.create", "");
  create["content"]["additional_creators"] = json::array({"@bob:b.org", "not-a-user"});
  EXPECT_RULE(room, room.check(create), false, R::create_invalid_additional_creators, "1.4");
  create["content"]["additional_creators"] = "@bob:b.org";
  EXPECT_RULE(room, room.check(create), false, R::create_invalid_additional_creators, "1.4");
  create["content"]["additional_creators"] = json::array({"@bob:b.org"});
  EXPECT_RULE(room, room.check(create), true, R::create_allowed, "1.5");
}

TEST(auth_rules, v10_receipt_check_of_a_create_event_ignores_its_auth_events) {
  TestRoom room("10");
  json create = *room.get("m.room.create", "");
  create["auth_events"] = json::array({"$unknown:a.org"});
  EXPECT_RULE(room, room.check_by_auth_events(create), true, R::create_allowed, "1.5");
}

// ---- v12 rule 2 and the auth_events rules ---------------------------------------------------

TEST(auth_rules, v12_rule_2_room_id_must_name_a_create_event) {
  TestRoom room = standard_room("12");
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  EXPECT_TRUE(room.check_by_auth_events(message).allowed);
  message["room_id"] = "!unknown";
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::room_id_not_create_event, "2");
  room.store().set_rejected(room.create_id(), true);
  message["room_id"] = room.room_id();
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::room_id_not_create_event, "2");
}

TEST(auth_rules, v10_rule_2_1_duplicate_auth_events) {
  TestRoom room = standard_room("10");
  const json& old_levels = *room.get("m.room.power_levels", "");
  room.add("m.room.power_levels", alice, "", {{"users", {{std::string(alice), 100}, {std::string(bob), 51}}}});
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  message["auth_events"].push_back(old_levels["event_id"]);
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::auth_events_duplicate, "2.1");
}

TEST(auth_rules, v10_rule_2_2_unexpected_auth_event) {
  TestRoom room = standard_room("10");
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  message["auth_events"].push_back((*room.get("m.room.join_rules", ""))["event_id"]);
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::auth_events_unexpected, "2.2");
}

TEST(auth_rules, v12_rule_3_2_create_event_is_never_an_auth_event) {
  TestRoom room = standard_room("12");
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  message["auth_events"].push_back(room.create_id());
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::auth_events_unexpected, "3.2");
}

TEST(auth_rules, v10_rule_2_3_rejected_auth_event) {
  TestRoom room = standard_room("10");
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  room.store().set_rejected((*room.get("m.room.power_levels", ""))["event_id"].get<std::string>(), true);
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::auth_events_rejected, "2.3");
}

TEST(auth_rules, v10_rule_2_4_no_create_in_auth_events) {
  TestRoom room = standard_room("10");
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  message["auth_events"].erase(0);
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::auth_events_no_create, "2.4");
}

TEST(auth_rules, v12_rule_3_4_auth_event_from_another_room) {
  TestRoom room = standard_room("12");
  json foreign = room.make("m.room.member", carol, carol, {{"membership", "join"}});
  foreign["room_id"] = "!other";
  foreign["event_id"] = "$foreign";
  room.store().add(foreign);
  json message = room.make("m.room.message", carol, std::nullopt, {{"body", "hi"}});
  message["auth_events"].push_back("$foreign");
  EXPECT_RULE(room, room.check_by_auth_events(message), false, R::auth_events_wrong_room, "3.4");
}

TEST(auth_rules, v10_receipt_check_passes_for_a_well_formed_event) {
  TestRoom room = standard_room("10");
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  EXPECT_RULE(room, room.check_by_auth_events(message), true, R::allowed_otherwise, "10");
}

TEST(auth_rules, v1_receipt_check_reads_v1_reference_pairs) {
  TestRoom room = standard_room("1");
  json message = room.make("m.room.message", bob, std::nullopt, {{"body", "hi"}});
  json pairs = json::array();
  for (const auto& id : message["auth_events"]) {
    pairs.push_back(json::array({id, {{"sha256", "x"}}}));
  }
  message["auth_events"] = pairs;
  EXPECT_RULE(room, room.check_by_auth_events(message), true, R::allowed_otherwise, "12");
}

// ---- m.federate --------------------------------------------------------------------------------

TEST(auth_rules, v10_rule_3_federate_false_rejects_other_servers) {
  TestRoom room("10", std::string(alice), {{"m.federate", false}});
  room.set_membership(alice, alice, "join");
  room.add("m.room.join_rules", alice, "", {{"join_rule", "public"}});
  EXPECT_RULE(room, room.check(room.member(bob, bob, "join")), false, R::federation_forbidden, "3");
  EXPECT_TRUE(room.check(room.member("@alice2:a.org", "@alice2:a.org", "join")).allowed);
}

TEST(auth_rules, v12_rule_4_federate_false_rejects_other_servers) {
  TestRoom room("12", std::string(alice), {{"m.federate", false}});
  room.set_membership(alice, alice, "join");
  EXPECT_RULE(room, room.check(room.member(bob, bob, "join")), false, R::federation_forbidden, "4");
}

// ---- m.room.aliases (v1–v5) ------------------------------------------------------------------

TEST(auth_rules, v5_rule_4_aliases_state_key_must_be_sender_domain) {
  TestRoom room = standard_room("5");
  EXPECT_RULE(room, room.check(room.make("m.room.aliases", carol, "a.org", {})), false, R::aliases_domain_mismatch,
              "4.2");
  EXPECT_RULE(room, room.check(room.make("m.room.aliases", carol, "c.org", {})), true, R::aliases_allowed, "4.3");
}

TEST(auth_rules, v5_rule_4_1_aliases_without_state_key) {
  TestRoom room = standard_room("5");
  EXPECT_RULE(room, room.check(room.make("m.room.aliases", carol, std::nullopt, {})), false, R::aliases_no_state_key,
              "4.1");
}

TEST(auth_rules, v6_aliases_rule_removed_so_non_members_are_rejected) {
  TestRoom room = standard_room("6");
  EXPECT_RULE(room, room.check(room.make("m.room.aliases", carol, "c.org", {})), false, R::sender_not_joined, "5");
}

// ---- m.room.member ----------------------------------------------------------------------------

TEST(auth_rules, v10_rule_4_1_member_without_membership) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.make("m.room.member", carol, carol, {})), false, R::member_malformed, "4.1");
  EXPECT_RULE(room, room.check(room.make("m.room.member", carol, std::nullopt, {{"membership", "join"}})), false,
              R::member_malformed, "4.1");
}

TEST(auth_rules, v8_rule_4_2_authorising_server_must_sign) {
  TestRoom room = standard_room("8", "restricted");
  json join = room.member(carol, carol, "join", {{"join_authorised_via_users_server", std::string(bob)}});
  EXPECT_RULE(room, room.check(join), false, R::member_authoriser_signature, "4.2");
  std::string signer;
  SignatureChecks checks;
  checks.event_signed_by = [&](const json&, std::string_view server) {
    signer = server;
    return true;
  };
  EXPECT_RULE(room, room.check(join, checks), true, R::join_restricted_allowed, "4.3.5.3");
  EXPECT_EQ(signer, "b.org");
}

TEST(auth_rules, v7_no_authorising_server_rule_before_v8) {
  TestRoom room = standard_room("7");
  json join = room.member(carol, carol, "join", {{"join_authorised_via_users_server", std::string(bob)}});
  EXPECT_RULE(room, room.check(join), true, R::join_public, "4.2.5");
}

TEST(auth_rules, v10_rule_4_3_1_creator_first_join) {
  TestRoom room("10");
  EXPECT_RULE(room, room.check(room.member(alice, alice, "join")), true, R::join_creator, "4.3.1");
}

TEST(auth_rules, v10_rule_4_3_1_uses_content_creator) {
  TestRoom room("10", std::string(alice), {{"creator", std::string(bob)}});
  EXPECT_RULE(room, room.check(room.member(bob, bob, "join")), true, R::join_creator, "4.3.1");
  EXPECT_RULE(room, room.check(room.member(alice, alice, "join")), false, R::join_rejected, "4.3.7");
}

TEST(auth_rules, v11_rule_4_3_1_creator_is_the_create_sender) {
  TestRoom room("11", std::string(alice), {{"creator", std::string(bob)}});
  EXPECT_RULE(room, room.check(room.member(alice, alice, "join")), true, R::join_creator, "4.3.1");
  EXPECT_RULE(room, room.check(room.member(bob, bob, "join")), false, R::join_rejected, "4.3.7");
}

TEST(auth_rules, v12_rule_5_3_1_only_the_create_sender_gets_the_first_join) {
  TestRoom room("12", std::string(alice), {{"additional_creators", {std::string(bob)}}});
  EXPECT_RULE(room, room.check(room.member(alice, alice, "join")), true, R::join_creator, "5.3.1");
  EXPECT_RULE(room, room.check(room.member(bob, bob, "join")), false, R::join_rejected, "5.3.7");
}

TEST(auth_rules, v10_rule_4_3_2_join_for_someone_else) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(bob, carol, "join")), false, R::join_sender_not_target, "4.3.2");
}

TEST(auth_rules, v10_rule_4_3_3_banned_user_cannot_join) {
  TestRoom room = standard_room("10");
  room.set_membership(alice, carol, "ban");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), false, R::join_sender_banned, "4.3.3");
}

TEST(auth_rules, v10_rule_4_3_4_invite_rule_needs_invite) {
  TestRoom room = standard_room("10", "invite");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), false, R::join_rejected, "4.3.7");
  room.set_membership(alice, carol, "invite");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), true, R::join_invited, "4.3.4");
}

TEST(auth_rules, v6_rule_5_2_4_invite_rule_numbering_before_restricted) {
  TestRoom room = standard_room("6", "invite");
  room.set_membership(alice, carol, "invite");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), true, R::join_invited, "4.2.4");
}

TEST(auth_rules, v7_rule_4_2_4_knock_rule_allows_invited_join) {
  TestRoom room = standard_room("7", "knock");
  room.set_membership(alice, carol, "invite");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), true, R::join_invited, "4.2.4");
}

TEST(auth_rules, v6_knock_join_rule_unknown_before_v7) {
  TestRoom room = standard_room("6", "knock");
  room.set_membership(alice, carol, "invite");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), false, R::join_rejected, "4.2.6");
}

TEST(auth_rules, v8_rule_4_3_5_1_restricted_join_when_invited) {
  TestRoom room = standard_room("8", "restricted");
  room.set_membership(alice, carol, "invite");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), true, R::join_restricted_member, "4.3.5.1");
}

TEST(auth_rules, v8_rule_4_3_5_2_restricted_join_needs_an_authoriser_who_can_invite) {
  TestRoom room = standard_room("8", "restricted");
  auto checks = accept_signatures();
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join"), checks), false, R::join_restricted_unauthorised,
              "4.3.5.2");
  json via_dave = room.member(carol, carol, "join", {{"join_authorised_via_users_server", std::string(dave)}});
  EXPECT_RULE(room, room.check(via_dave, checks), false, R::join_restricted_unauthorised, "4.3.5.2");
  room.add("m.room.power_levels", alice, "",
           {{"users", {{std::string(alice), 100}, {std::string(bob), 50}}}, {"invite", 60}});
  json via_bob = room.member(carol, carol, "join", {{"join_authorised_via_users_server", std::string(bob)}});
  EXPECT_RULE(room, room.check(via_bob, checks), false, R::join_restricted_unauthorised, "4.3.5.2");
}

TEST(auth_rules, v7_restricted_join_rule_unknown_before_v8) {
  TestRoom room = standard_room("7", "restricted");
  json join = room.member(carol, carol, "join", {{"join_authorised_via_users_server", std::string(bob)}});
  EXPECT_RULE(room, room.check(join, accept_signatures()), false, R::join_rejected, "4.2.6");
}

TEST(auth_rules, v10_rule_4_3_5_knock_restricted_join) {
  TestRoom room = standard_room("10", "knock_restricted");
  json join = room.member(carol, carol, "join", {{"join_authorised_via_users_server", std::string(bob)}});
  EXPECT_RULE(room, room.check(join, accept_signatures()), true, R::join_restricted_allowed, "4.3.5.3");
}

TEST(auth_rules, v9_knock_restricted_unknown_before_v10) {
  TestRoom room = standard_room("9", "knock_restricted");
  json join = room.member(carol, carol, "join", {{"join_authorised_via_users_server", std::string(bob)}});
  EXPECT_RULE(room, room.check(join, accept_signatures()), false, R::join_rejected, "4.3.7");
}

TEST(auth_rules, v10_rule_4_3_6_public_join) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), true, R::join_public, "4.3.6");
}

TEST(auth_rules, v1_rule_5_2_5_public_join) {
  TestRoom room = standard_room("1");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), true, R::join_public, "5.2.5");
}

TEST(auth_rules, v10_rule_4_3_7_private_join_rejected) {
  TestRoom room = standard_room("10", "private");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "join")), false, R::join_rejected, "4.3.7");
}

// Third-party invites: a room with an m.room.third_party_invite by bob for token "tok".
TestRoom third_party_room() {
  TestRoom room = standard_room("10");
  room.add("m.room.third_party_invite", bob, "tok",
           {{"public_key", "key0"}, {"public_keys", {{{"public_key", "key1"}}, {{"public_key", "key2"}}}}});
  return room;
}

json third_party_invite(const TestRoom& room, std::string_view sender, json signed_block) {
  return room.member(sender, carol, "invite",
                     {{"third_party_invite", {{"display_name", "c"}, {"signed", std::move(signed_block)}}}});
}

json good_signed() { return {{"mxid", std::string(carol)}, {"token", "tok"}, {"signatures", json::object()}}; }

TEST(auth_rules, v10_rule_4_4_1_1_third_party_target_banned) {
  TestRoom room = third_party_room();
  room.set_membership(alice, carol, "ban");
  EXPECT_RULE(room, room.check(third_party_invite(room, bob, good_signed()), accept_signatures()), false,
              R::third_party_target_banned, "4.4.1.1");
}

TEST(auth_rules, v10_rule_4_4_1_2_third_party_without_signed) {
  TestRoom room = third_party_room();
  json invite = room.member(bob, carol, "invite", {{"third_party_invite", {{"display_name", "c"}}}});
  EXPECT_RULE(room, room.check(invite, accept_signatures()), false, R::third_party_no_signed, "4.4.1.2");
}

TEST(auth_rules, v10_rule_4_4_1_3_third_party_signed_without_token) {
  TestRoom room = third_party_room();
  json signed_block = good_signed();
  signed_block.erase("token");
  EXPECT_RULE(room, room.check(third_party_invite(room, bob, signed_block), accept_signatures()), false,
              R::third_party_signed_incomplete, "4.4.1.3");
}

TEST(auth_rules, v10_rule_4_4_1_4_third_party_mxid_mismatch) {
  TestRoom room = third_party_room();
  json signed_block = good_signed();
  signed_block["mxid"] = std::string(dave);
  EXPECT_RULE(room, room.check(third_party_invite(room, bob, signed_block), accept_signatures()), false,
              R::third_party_mxid_mismatch, "4.4.1.4");
}

TEST(auth_rules, v10_rule_4_4_1_5_third_party_unknown_token) {
  TestRoom room = third_party_room();
  json signed_block = good_signed();
  signed_block["token"] = "other";
  EXPECT_RULE(room, room.check(third_party_invite(room, bob, signed_block), accept_signatures()), false,
              R::third_party_no_invite_event, "4.4.1.5");
}

TEST(auth_rules, v10_rule_4_4_1_6_third_party_sender_mismatch) {
  TestRoom room = third_party_room();
  EXPECT_RULE(room, room.check(third_party_invite(room, alice, good_signed()), accept_signatures()), false,
              R::third_party_sender_mismatch, "4.4.1.6");
}

TEST(auth_rules, v10_rule_4_4_1_7_third_party_signature_matches_any_public_key) {
  TestRoom room = third_party_room();
  for (std::string good : {"key0", "key2"}) {
    SignatureChecks checks;
    checks.third_party_signed = [&](const json& signed_block, std::string_view key) {
      return key == good && signed_block.at("token") == "tok";
    };
    EXPECT_RULE(room, room.check(third_party_invite(room, bob, good_signed()), checks), true,
                R::third_party_signature_valid, "4.4.1.7");
  }
}

TEST(auth_rules, v10_rule_4_4_1_8_third_party_no_valid_signature) {
  TestRoom room = third_party_room();
  SignatureChecks checks;
  checks.third_party_signed = [](const json&, std::string_view) { return false; };
  EXPECT_RULE(room, room.check(third_party_invite(room, bob, good_signed()), checks), false,
              R::third_party_signature_invalid, "4.4.1.8");
  EXPECT_RULE(room, room.check(third_party_invite(room, bob, good_signed())), false, R::third_party_signature_invalid,
              "4.4.1.8");
}

TEST(auth_rules, v10_rule_4_4_2_invite_sender_not_joined) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(carol, dave, "invite")), false, R::invite_sender_not_joined, "4.4.2");
}

TEST(auth_rules, v10_rule_4_4_3_invite_target_joined_or_banned) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(alice, bob, "invite")), false, R::invite_target_joined_or_banned, "4.4.3");
  room.set_membership(alice, carol, "ban");
  EXPECT_RULE(room, room.check(room.member(alice, carol, "invite")), false, R::invite_target_joined_or_banned,
              "4.4.3");
}

TEST(auth_rules, v10_rule_4_4_4_and_4_4_5_invite_level) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(bob, carol, "invite")), true, R::invite_allowed, "4.4.4");
  room.add("m.room.power_levels", alice, "",
           {{"users", {{std::string(alice), 100}, {std::string(bob), 50}}}, {"invite", 51}});
  EXPECT_RULE(room, room.check(room.member(bob, carol, "invite")), false, R::invite_insufficient_power, "4.4.5");
}

TEST(auth_rules, v10_rule_4_5_1_leave_self) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(bob, bob, "leave")), true, R::leave_self, "4.5.1");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "leave")), false, R::leave_self, "4.5.1");
}

TEST(auth_rules, v7_rule_4_4_1_knocking_user_may_leave) {
  TestRoom room = standard_room("7", "knock");
  room.set_membership(carol, carol, "knock");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "leave")), true, R::leave_self, "4.4.1");
}

TEST(auth_rules, v10_rule_4_5_2_kick_by_non_member) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(carol, bob, "leave")), false, R::leave_sender_not_joined, "4.5.2");
}

TEST(auth_rules, v10_rule_4_5_3_unban_needs_ban_level) {
  TestRoom room = standard_room("10");
  room.set_membership(alice, carol, "ban");
  room.add("m.room.power_levels", alice, "",
           {{"users", {{std::string(alice), 100}, {std::string(bob), 50}}}, {"kick", 0}, {"ban", 60}});
  EXPECT_RULE(room, room.check(room.member(bob, carol, "leave")), false, R::leave_target_banned, "4.5.3");
  EXPECT_RULE(room, room.check(room.member(alice, carol, "leave")), true, R::leave_kick_allowed, "4.5.4");
}

TEST(auth_rules, v10_rule_4_5_4_and_4_5_5_kick_needs_more_power_than_target) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(alice, bob, "leave")), true, R::leave_kick_allowed, "4.5.4");
  EXPECT_RULE(room, room.check(room.member(bob, alice, "leave")), false, R::leave_rejected, "4.5.5");
}

TEST(auth_rules, v10_rule_4_6_ban) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.member(carol, bob, "ban")), false, R::ban_sender_not_joined, "4.6.1");
  EXPECT_RULE(room, room.check(room.member(alice, bob, "ban")), true, R::ban_allowed, "4.6.2");
  EXPECT_RULE(room, room.check(room.member(bob, alice, "ban")), false, R::ban_rejected, "4.6.3");
}

TEST(auth_rules, v12_creators_have_infinite_power) {
  TestRoom room("12", std::string(alice), {{"additional_creators", {std::string(carol)}}});
  room.set_membership(alice, alice, "join");
  room.add("m.room.power_levels", alice, "", {{"users", {{std::string(bob), 1000000}}}});
  room.add("m.room.join_rules", alice, "", {{"join_rule", "public"}});
  room.set_membership(bob, bob, "join");
  room.set_membership(carol, carol, "join");
  EXPECT_RULE(room, room.check(room.member(carol, bob, "ban")), true, R::ban_allowed, "5.6.2");
  EXPECT_RULE(room, room.check(room.member(bob, carol, "ban")), false, R::ban_rejected, "5.6.3");
  EXPECT_RULE(room, room.check(room.member(bob, alice, "leave")), false, R::leave_rejected, "5.5.5");
}

TEST(auth_rules, v7_rule_4_6_knock) {
  TestRoom room = standard_room("7", "knock");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "knock")), true, R::knock_allowed, "4.6.3");
  EXPECT_RULE(room, room.check(room.member(carol, dave, "knock")), false, R::knock_sender_not_target, "4.6.2");
  EXPECT_RULE(room, room.check(room.member(bob, bob, "knock")), false, R::knock_rejected, "4.6.4");
}

TEST(auth_rules, v10_rule_4_7_1_knock_needs_knock_join_rule) {
  TestRoom room = standard_room("10", "invite");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "knock")), false, R::knock_join_rule, "4.7.1");
  TestRoom knock_restricted = standard_room("10", "knock_restricted");
  EXPECT_RULE(knock_restricted, knock_restricted.check(knock_restricted.member(carol, carol, "knock")), true,
              R::knock_allowed, "4.7.3");
}

TEST(auth_rules, v6_knock_membership_unknown_before_v7) {
  TestRoom room = standard_room("6", "knock");
  EXPECT_RULE(room, room.check(room.member(carol, carol, "knock")), false, R::member_unknown_membership, "4.6");
}

TEST(auth_rules, v8_rule_4_8_unknown_membership) {
  TestRoom room = standard_room("8");
  EXPECT_RULE(room, room.check(room.member(bob, bob, "wander")), false, R::member_unknown_membership, "4.8");
}

// ---- rules after membership -------------------------------------------------------------------

TEST(auth_rules, v10_rule_5_sender_not_joined) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.make("m.room.message", carol, std::nullopt, {})), false, R::sender_not_joined, "5");
}

TEST(auth_rules, v1_rule_6_and_v12_rule_6_sender_not_joined) {
  TestRoom v1 = standard_room("1");
  EXPECT_RULE(v1, v1.check(v1.make("m.room.message", carol, std::nullopt, {})), false, R::sender_not_joined, "6");
  TestRoom v12 = standard_room("12");
  EXPECT_RULE(v12, v12.check(v12.make("m.room.message", carol, std::nullopt, {})), false, R::sender_not_joined, "6");
}

TEST(auth_rules, v10_rule_6_1_third_party_invite_event_needs_invite_level) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.make("m.room.third_party_invite", bob, "t", {})), true, R::third_party_invite_event,
              "6.1");
  room.add("m.room.power_levels", alice, "",
           {{"users", {{std::string(alice), 100}, {std::string(bob), 50}}}, {"invite", 75}});
  EXPECT_RULE(room, room.check(room.make("m.room.third_party_invite", bob, "t", {})), false,
              R::third_party_invite_event, "6.1");
}

TEST(auth_rules, v10_rule_7_required_power_level) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.make("m.room.name", bob, "", {{"name", "x"}})), true, R::allowed_otherwise, "10");
  room.add("m.room.power_levels", alice, "",
           {{"users", {{std::string(alice), 100}, {std::string(bob), 50}}}, {"events", {{"m.room.name", 51}}}});
  EXPECT_RULE(room, room.check(room.make("m.room.name", bob, "", {{"name", "x"}})), false, R::insufficient_power, "7");
  room.add("m.room.power_levels", alice, "",
           {{"users", {{std::string(alice), 100}, {std::string(bob), 50}}}, {"events_default", 51}});
  EXPECT_RULE(room, room.check(room.make("m.room.message", bob, std::nullopt, {})), false, R::insufficient_power, "7");
}

TEST(auth_rules, v10_state_default_is_50_with_power_levels_and_0_without) {
  TestRoom room("10");
  room.set_membership(alice, alice, "join");
  room.add("m.room.join_rules", alice, "", {{"join_rule", "public"}});
  room.set_membership(bob, bob, "join");
  EXPECT_TRUE(room.check(room.make("m.room.topic", bob, "", {{"topic", "x"}})).allowed);
  room.add("m.room.power_levels", alice, "", {{"users", {{std::string(alice), 100}}}});
  EXPECT_RULE(room, room.check(room.make("m.room.topic", bob, "", {{"topic", "x"}})), false, R::insufficient_power, "7");
}

TEST(auth_rules, v10_rule_8_state_key_naming_another_user) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.make("org.example.profile", bob, alice, {})), false, R::state_key_impersonation,
              "8");
  EXPECT_RULE(room, room.check(room.make("org.example.profile", bob, bob, {})), true, R::allowed_otherwise, "10");
}

// ---- m.room.power_levels ---------------------------------------------------------------------

json levels_with(std::initializer_list<std::pair<const std::string, json>> extra) {
  json content = {{"users", {{std::string(alice), 100}, {std::string(bob), 50}}}};
  for (const auto& [key, value] : extra) {
    content[key] = value;
  }
  return content;
}

TEST(auth_rules, v10_rule_9_1_levels_must_be_integers) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", levels_with({{"ban", "50"}}))), false,
              R::power_levels_invalid_field, "9.1");
}

TEST(auth_rules, v9_string_levels_still_accepted) {
  TestRoom room = standard_room("9");
  json content = levels_with({{"ban", " +050 "}});
  content["users"][std::string(bob)] = "50";
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", content)), true, R::power_levels_allowed,
              "9.8");
}

TEST(auth_rules, v10_rule_9_2_events_values_must_be_integers) {
  TestRoom room = standard_room("10");
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", levels_with({{"events", {{"m.x", 1.5}}}}))),
              false, R::power_levels_invalid_map, "9.2");
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", levels_with({{"notifications", 5}}))), false,
              R::power_levels_invalid_map, "9.2");
}

TEST(auth_rules, v10_rule_9_3_users_must_map_user_ids_to_integers) {
  TestRoom room = standard_room("10");
  json content = levels_with({});
  content["users"]["not-a-user"] = 10;
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", content)), false,
              R::power_levels_invalid_users, "9.3");
  content = levels_with({});
  content["users"][std::string(carol)] = "10";
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", content)), false,
              R::power_levels_invalid_users, "9.3");
}

TEST(auth_rules, v1_rule_10_1_users_may_be_integer_strings) {
  TestRoom room = standard_room("1");
  json content = levels_with({});
  content["users"][std::string(carol)] = "10";
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", content)), true, R::power_levels_allowed,
              "10.8");
  content["users"][std::string(carol)] = "ten";
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", content)), false,
              R::power_levels_invalid_users, "10.1");
}

TEST(auth_rules, v5_float_levels_truncate_and_v6_rejects_them) {
  TestRoom v5 = standard_room("5");
  json content = levels_with({});
  content["users"][std::string(carol)] = 50.57;
  EXPECT_RULE(v5, v5.check(v5.make("m.room.power_levels", alice, "", content)), true, R::power_levels_allowed, "10.8");
  TestRoom v6 = standard_room("6");
  EXPECT_RULE(v6, v6.check(v6.make("m.room.power_levels", alice, "", content)), false, R::power_levels_invalid_users,
              "9.1");
}

TEST(auth_rules, v12_rule_10_4_creators_cannot_be_listed_in_users) {
  TestRoom room = standard_room("12");
  json content = {{"users", {{std::string(alice), 100}}}};
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", content)), false,
              R::power_levels_creator_in_users, "10.4");
}

TEST(auth_rules, v10_rule_9_4_first_power_levels_allowed) {
  TestRoom room("10");
  room.set_membership(alice, alice, "join");
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", {{"users", {{"@x:y.z", 1000}}}})), true,
              R::power_levels_initial, "9.4");
}

TEST(auth_rules, v10_rule_9_5_named_levels) {
  TestRoom room = standard_room("10");
  room.add("m.room.power_levels", alice, "", levels_with({{"events", {{"m.room.power_levels", 50}}}, {"kick", 75}}));
  EXPECT_RULE(room,
              room.check(room.make("m.room.power_levels", bob, "",
                                   levels_with({{"events", {{"m.room.power_levels", 50}}}, {"kick", 10}}))),
              false, R::power_levels_field_current_too_high, "9.5.1");
  EXPECT_RULE(room,
              room.check(room.make("m.room.power_levels", bob, "",
                                   levels_with({{"events", {{"m.room.power_levels", 50}}}, {"kick", 75}, {"ban", 51}}))),
              false, R::power_levels_field_new_too_high, "9.5.2");
}

TEST(auth_rules, v10_rule_9_6_and_9_7_event_levels) {
  TestRoom room = standard_room("10");
  room.add("m.room.power_levels", alice, "",
           levels_with({{"events", {{"m.room.power_levels", 50}, {"m.room.tombstone", 100}}}}));
  EXPECT_RULE(room,
              room.check(room.make("m.room.power_levels", bob, "",
                                   levels_with({{"events", {{"m.room.power_levels", 50}}}}))),
              false, R::power_levels_map_current_too_high, "9.6.1");
  EXPECT_RULE(room,
              room.check(room.make("m.room.power_levels", bob, "",
                                   levels_with({{"events",
                                                 {{"m.room.power_levels", 50},
                                                  {"m.room.tombstone", 100},
                                                  {"m.room.name", 60}}}}))),
              false, R::power_levels_map_new_too_high, "9.7.1");
}

TEST(auth_rules, v6_notifications_checked_but_not_in_v5) {
  for (std::string version : {"5", "6"}) {
    TestRoom room = standard_room(version);
    room.add("m.room.power_levels", alice, "",
             levels_with({{"events", {{"m.room.power_levels", 50}}}, {"notifications", {{"room", 100}}}}));
    auto decision = room.check(room.make("m.room.power_levels", bob, "",
                                         levels_with({{"events", {{"m.room.power_levels", 50}}},
                                                      {"notifications", {{"room", 0}}}})));
    if (version == "5") {
      EXPECT_RULE(room, decision, true, R::power_levels_allowed, "10.8");
    } else {
      EXPECT_RULE(room, decision, false, R::power_levels_map_current_too_high, "9.4.1");
    }
  }
}

TEST(auth_rules, v10_rule_9_8_and_9_9_user_levels) {
  TestRoom room = standard_room("10");
  room.add("m.room.power_levels", alice, "",
           {{"users", {{std::string(alice), 100}, {std::string(bob), 50}, {std::string(carol), 50}}},
            {"events", {{"m.room.power_levels", 50}}}});
  json demote_peer = {{"users", {{std::string(alice), 100}, {std::string(bob), 50}, {std::string(carol), 10}}},
                      {"events", {{"m.room.power_levels", 50}}}};
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", bob, "", demote_peer)), false,
              R::power_levels_user_current_too_high, "9.8.1");
  json promote = {{"users",
                   {{std::string(alice), 100}, {std::string(bob), 50}, {std::string(carol), 50}, {std::string(dave), 51}}},
                  {"events", {{"m.room.power_levels", 50}}}};
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", bob, "", promote)), false,
              R::power_levels_user_new_too_high, "9.9.1");
  json self_demote = {{"users", {{std::string(alice), 100}, {std::string(bob), 10}, {std::string(carol), 50}}},
                      {"events", {{"m.room.power_levels", 50}}}};
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", bob, "", self_demote)), true, R::power_levels_allowed,
              "9.10");
}

// Keys present on one side only, interleaved in key order with keys on both sides: the rules
// compare the two maps key by key.
TEST(auth_rules, v10_rule_9_6_to_9_9_keys_on_one_side) {
  TestRoom room = standard_room("10");
  const std::string aaron = "@aaron:a.org";
  const std::string zed = "@zed:z.org";
  json users = {{std::string(alice), 100}, {std::string(bob), 50}, {std::string(carol), 10}, {zed, 60}};
  room.add("m.room.power_levels", alice, "",
           {{"users", users}, {"events", {{"m.room.power_levels", 50}, {"m.a", 10}, {"m.c", 100}}}});
  auto change = [&](json new_users, json events) {
    return room.check(room.make("m.room.power_levels", bob, "", {{"users", new_users}, {"events", events}}));
  };
  json events = {{"m.room.power_levels", 50}, {"m.a", 10}, {"m.c", 100}};
  json fewer_users = users;
  fewer_users.erase(std::string(carol));
  fewer_users[aaron] = 20;
  EXPECT_RULE(room, change(fewer_users, events), true, R::power_levels_allowed, "9.10");
  json without_zed = users;
  without_zed.erase(zed);
  EXPECT_RULE(room, change(without_zed, events), false, R::power_levels_user_current_too_high, "9.8.1");
  json swapped_events = {{"m.room.power_levels", 50}, {"m.b", 20}, {"m.c", 100}};
  EXPECT_RULE(room, change(users, swapped_events), true, R::power_levels_allowed, "9.10");
  json raised_events = {{"m.room.power_levels", 50}, {"m.c", 100}, {"m.d", 70}};
  EXPECT_RULE(room, change(users, raised_events), false, R::power_levels_map_new_too_high, "9.7.1");
  json dropped_high = {{"m.room.power_levels", 50}, {"m.a", 10}};
  EXPECT_RULE(room, change(users, dropped_high), false, R::power_levels_map_current_too_high, "9.6.1");
}

TEST(auth_rules, v12_rule_10_11_power_levels_allowed) {
  TestRoom room = standard_room("12");
  EXPECT_RULE(room, room.check(room.make("m.room.power_levels", alice, "", {{"users", {{std::string(bob), 99}}}})), true,
              R::power_levels_allowed, "10.11");
}

// ---- m.room.redaction (v1–v2) and the final rule ----------------------------------------------

TEST(auth_rules, v1_rule_11_redaction) {
  TestRoom room = standard_room("1");
  room.set_membership(carol, carol, "join");
  json own_server = room.make("m.room.redaction", carol, std::nullopt, {});
  own_server["redacts"] = "$e1:c.org";
  EXPECT_RULE(room, room.check(own_server), true, R::redaction_same_domain, "11.2");
  json other_server = own_server;
  other_server["redacts"] = "$e1:a.org";
  EXPECT_RULE(room, room.check(other_server), false, R::redaction_rejected, "11.3");
  json by_moderator = room.make("m.room.redaction", bob, std::nullopt, {});
  by_moderator["redacts"] = "$e1:a.org";
  EXPECT_RULE(room, room.check(by_moderator), true, R::redaction_power, "11.1");
}

TEST(auth_rules, v3_redaction_rule_removed) {
  TestRoom room = standard_room("3");
  room.set_membership(carol, carol, "join");
  json redaction = room.make("m.room.redaction", carol, std::nullopt, {});
  redaction["redacts"] = "$e1:a.org";
  EXPECT_RULE(room, room.check(redaction), true, R::allowed_otherwise, "11");
}

TEST(auth_rules, otherwise_allow_numbering_per_version) {
  const std::pair<std::string, std::string> expected[] = {{"1", "12"}, {"2", "12"}, {"3", "11"}, {"5", "11"},
                                                          {"6", "10"}, {"11", "10"}, {"12", "11"}};
  for (const auto& [version, number] : expected) {
    TestRoom room = standard_room(version);
    EXPECT_RULE(room, room.check(room.make("m.room.message", bob, std::nullopt, {})), true, R::allowed_otherwise,
                number);
  }
}

TEST(auth_rules, every_rule_has_a_description) {
  for (int i = 0; i <= static_cast<int>(R::allowed_otherwise); ++i) {
    EXPECT_FALSE(describe(static_cast<R>(i)).empty()) << i;
  }
}

}  // namespace
}  // namespace ranvier::auth
