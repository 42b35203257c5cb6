// The server ACL rules in the order the spec gives them.

#include "rooms/server_acl.hpp"

#include <gtest/gtest.h>

namespace ranvier::rooms {
namespace {

TEST(ServerAcl, NoAclAdmitsEveryone) {
  EXPECT_TRUE(server_acl_allows(nlohmann::json(), "evil.example"));
  EXPECT_TRUE(server_acl_allows(nlohmann::json::array(), "evil.example"));
}

TEST(ServerAcl, DenyBeatsAllowAndPortsDoNotCount) {
  const nlohmann::json acl = {{"allow", {"*"}}, {"deny", {"evil.example", "*.bad.example"}}};
  EXPECT_TRUE(server_acl_allows(acl, "good.example"));
  EXPECT_TRUE(server_acl_allows(acl, "good.example:8448"));
  EXPECT_FALSE(server_acl_allows(acl, "evil.example"));
  EXPECT_FALSE(server_acl_allows(acl, "evil.example:1234"));
  EXPECT_FALSE(server_acl_allows(acl, "EVIL.example"));
  EXPECT_FALSE(server_acl_allows(acl, "a.bad.example"));
  EXPECT_TRUE(server_acl_allows(acl, "bad.example"));
}

TEST(ServerAcl, OnlyAllowedServersAreAdmitted) {
  EXPECT_FALSE(server_acl_allows(nlohmann::json::object(), "anyone.example"));
  const nlohmann::json acl = {{"allow", {"*.friends.example", "one?.example"}}};
  EXPECT_TRUE(server_acl_allows(acl, "hs.friends.example"));
  EXPECT_TRUE(server_acl_allows(acl, "one1.example"));
  EXPECT_FALSE(server_acl_allows(acl, "one12.example"));
  EXPECT_FALSE(server_acl_allows(acl, "friends.example"));
  // Entries that are not strings, and lists that are not lists, match nothing.
  EXPECT_FALSE(server_acl_allows({{"allow", {42}}}, "42"));
  EXPECT_FALSE(server_acl_allows({{"allow", "*"}}, "x.example"));
}

TEST(ServerAcl, IpLiteralsOnlyWhenAllowed) {
  const nlohmann::json acl = {{"allow", {"*"}}, {"allow_ip_literals", false}};
  EXPECT_FALSE(server_acl_allows(acl, "192.0.2.1"));
  EXPECT_FALSE(server_acl_allows(acl, "192.0.2.1:8448"));
  EXPECT_FALSE(server_acl_allows(acl, "[2001:db8::1]:8448"));
  EXPECT_TRUE(server_acl_allows(acl, "example.org"));
  EXPECT_TRUE(server_acl_allows({{"allow", {"*"}}}, "192.0.2.1"));
  EXPECT_TRUE(server_acl_allows({{"allow", {"*"}}, {"allow_ip_literals", "no"}}, "192.0.2.1"));
}

}  // namespace
}  // namespace ranvier::rooms
