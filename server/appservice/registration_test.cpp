// Spec: application service API, "Registration" (the file) and "Identity assertion" /
// "Pushing events" (what the namespaces decide).

#include "appservice/calls.hpp"
#include "appservice/registry.hpp"

#include <gtest/gtest.h>

namespace ranvier::appservice {
namespace {

const std::string bridge_yaml = R"(
id: irc
url: "http://127.0.0.1:9000"
as_token: as_secret
hs_token: hs_secret
sender_localpart: irc_bot
rate_limited: false
protocols: [irc]
namespaces:
  users:
    - exclusive: true
      regex: "@irc_.*:example\\.org"
  aliases:
    - exclusive: "true"
      regex: "#irc_.*"
  rooms:
    - exclusive: false
      regex: "!bridged.*"
de.sorunome.msc2409.push_ephemeral: true
)";

TEST(AppserviceRegistration, ParsesEveryField) {
  const auto r = parse_registration(bridge_yaml, "irc.yaml");
  EXPECT_EQ(r.id, "irc");
  EXPECT_EQ(r.url, "http://127.0.0.1:9000");
  EXPECT_EQ(r.as_token, "as_secret");
  EXPECT_EQ(r.hs_token, "hs_secret");
  EXPECT_EQ(r.sender_localpart, "irc_bot");
  EXPECT_FALSE(r.rate_limited);
  EXPECT_EQ(r.protocols, std::vector<std::string>{"irc"});
  ASSERT_EQ(r.users.size(), 1U);
  EXPECT_TRUE(r.users[0].exclusive);
  ASSERT_EQ(r.aliases.size(), 1U);
  EXPECT_TRUE(r.aliases[0].exclusive);
  ASSERT_EQ(r.rooms.size(), 1U);
  EXPECT_FALSE(r.rooms[0].exclusive);
}

TEST(AppserviceRegistration, NullUrlAndMissingNamespaces) {
  const auto r = parse_registration("id: a\nurl: null\nas_token: x\nhs_token: y\nsender_localpart: bot\n", "a.yaml");
  EXPECT_FALSE(r.url.has_value());
  EXPECT_TRUE(r.users.empty());
  EXPECT_TRUE(r.rate_limited);
}

TEST(AppserviceRegistration, ErrorsNameFileAndKey) {
  const auto error_of = [](const std::string& yaml) {
    try {
      parse_registration(yaml, "bad.yaml");
    } catch (const RegistrationError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("id: a\nas_token: x\nhs_token: y\n").find("bad.yaml: sender_localpart: missing"),
            std::string::npos);
  EXPECT_NE(error_of("id: a\nas_token: x\nhs_token: y\nsender_localpart: b\nnamespaces:\n  users:\n"
                     "    - exclusive: true\n      regex: \"@(unclosed\"\n")
                .find("namespaces.users[0].regex"),
            std::string::npos);
  EXPECT_NE(error_of("id: a\nurl: ftp://x/\nas_token: x\nhs_token: y\nsender_localpart: b\n").find("url"),
            std::string::npos);
  EXPECT_NE(error_of("id: a\nas_token: x\nhs_token: y\nsender_localpart: b\nrate_limited: maybe\n")
                .find("rate_limited"),
            std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("expected a mapping"), std::string::npos);
  EXPECT_NE(error_of("id: [").find("not valid YAML"), std::string::npos);
}

TEST(AppserviceRegistry, DuplicateTokensAndIdsAreRefused) {
  auto a = parse_registration("id: a\nas_token: t1\nhs_token: t2\nsender_localpart: a\n", "a.yaml");
  auto same_id = parse_registration("id: a\nas_token: t3\nhs_token: t4\nsender_localpart: b\n", "b.yaml");
  auto same_token = parse_registration("id: b\nas_token: t2\nhs_token: t5\nsender_localpart: b\n", "b.yaml");
  EXPECT_THROW(Registry({a, same_id}, "example.org"), RegistrationError);
  EXPECT_THROW(Registry({a, same_token}, "example.org"), RegistrationError);
  auto bad_sender = parse_registration("id: c\nas_token: t6\nhs_token: t7\nsender_localpart: Bad!\n", "c.yaml");
  EXPECT_THROW(Registry({bad_sender}, "example.org"), RegistrationError);
}

TEST(AppserviceRegistry, NamespaceMatchingIsAnchoredAtTheStart) {
  Registry registry({parse_registration(bridge_yaml, "irc.yaml")}, "example.org");
  const auto& irc = registry.all().front();
  EXPECT_EQ(registry.by_as_token("as_secret"), &irc);
  EXPECT_EQ(registry.by_as_token("hs_secret"), nullptr);
  EXPECT_EQ(registry.by_id("irc"), &irc);
  EXPECT_EQ(registry.sender_of(irc), "@irc_bot:example.org");
  EXPECT_TRUE(registry.may_act_as(irc, "@irc_alice:example.org"));
  EXPECT_TRUE(registry.may_act_as(irc, "@irc_bot:example.org"));
  EXPECT_FALSE(registry.may_act_as(irc, "@alice:example.org"));
  EXPECT_FALSE(registry.may_act_as(irc, "@x@irc_alice:example.org"));  // not from the start
  EXPECT_EQ(registry.exclusive_user_owner("@irc_x:example.org"), &irc);
  EXPECT_EQ(registry.exclusive_user_owner("@x:example.org"), nullptr);
  EXPECT_EQ(registry.exclusive_alias_owner("#irc_chan:example.org"), &irc);
  EXPECT_EQ(registry.user_query_targets("@irc_new:example.org").size(), 1U);
  EXPECT_TRUE(registry.alias_query_targets("#other:example.org").empty());
}

TEST(AppserviceRegistry, InterestInEvents) {
  Registry registry({parse_registration(bridge_yaml, "irc.yaml")}, "example.org");
  const auto& irc = registry.all().front();
  const std::vector<std::string> none;
  const std::vector<std::string> members{"@alice:example.org", "@irc_bob:example.org"};
  const std::vector<std::string> aliases{"#irc_chan:example.org"};
  EXPECT_TRUE(registry.interested(irc, {"@irc_bob:example.org", std::nullopt, "!r:x", &none, &none}));
  EXPECT_TRUE(registry.interested(irc, {"@alice:example.org", "@irc_bob:example.org", "!r:x", &none, &none}));
  EXPECT_TRUE(registry.interested(irc, {"@alice:example.org", std::nullopt, "!bridged1:x", &none, &none}));
  EXPECT_TRUE(registry.interested(irc, {"@alice:example.org", std::nullopt, "!r:x", &aliases, &none}));
  EXPECT_TRUE(registry.interested(irc, {"@alice:example.org", std::nullopt, "!r:x", &none, &members}));
  EXPECT_FALSE(registry.interested(irc, {"@alice:example.org", "", "!r:x", &none, &none}));
  // Only this server's users count: the same localpart elsewhere does not.
  Registry wide({parse_registration("id: w\nas_token: a\nhs_token: b\nsender_localpart: w\nnamespaces:\n"
                                    "  users: [{exclusive: false, regex: '@irc_.*'}]\n",
                                    "w.yaml")},
                "example.org");
  const auto& w = wide.all().front();
  EXPECT_TRUE(wide.interested(w, {"@irc_a:example.org", std::nullopt, "!r:x", &none, &none}));
  EXPECT_FALSE(wide.interested(w, {"@irc_a:remote.org", std::nullopt, "!r:x", &none, &none}));
  const std::vector<std::string> remote_members{"@irc_b:remote.org"};
  EXPECT_FALSE(wide.interested(w, {"@alice:remote.org", std::nullopt, "!r:x", &none, &remote_members}));
}

TEST(AppserviceNamespacePattern, PathologicalPatternFailsClosed) {
  auto pattern = NamespacePattern::compile("(a+)+$");
  ASSERT_TRUE(pattern);
  EXPECT_FALSE(pattern->matches(std::string(64, 'a') + "!"));
  EXPECT_TRUE(pattern->matches("aaaa"));
  EXPECT_FALSE(pattern->matches("\xff\xfe"));  // not UTF-8: no match, no crash
}

}  // namespace
}  // namespace ranvier::appservice

namespace ranvier::appservice {
namespace {

// Spec: application service API, "Legacy routes".
TEST(AppserviceLegacyRoutes, PathsAndWhenToUseThem) {
  EXPECT_EQ(legacy_path("/_matrix/app/v1/transactions/5"), "/transactions/5");
  EXPECT_EQ(legacy_path("/_matrix/app/v1/users/%40a%3Ax"), "/users/%40a%3Ax");
  EXPECT_EQ(legacy_path("/_matrix/app/v1/thirdparty/protocol/irc"), "/_matrix/app/unstable/thirdparty/protocol/irc");
  EXPECT_FALSE(legacy_path("/_matrix/app/v1/ping"));
  EXPECT_FALSE(legacy_path("/other"));
  EXPECT_TRUE(route_unknown({CallFailure::none, 404, "<html>Not Found</html>", ""}));
  EXPECT_TRUE(route_unknown({CallFailure::none, 404, R"({"errcode":"M_UNRECOGNIZED","error":"x"})", ""}));
  EXPECT_TRUE(route_unknown({CallFailure::none, 405, "", ""}));
  EXPECT_FALSE(route_unknown({CallFailure::none, 404, R"({"errcode":"M_NOT_FOUND","error":"no such user"})", ""}));
  EXPECT_FALSE(route_unknown({CallFailure::none, 500, "", ""}));
  EXPECT_FALSE(route_unknown({CallFailure::connection, 0, "", "refused"}));
}

}  // namespace
}  // namespace ranvier::appservice
