#include "core/identifiers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ranvier::core {
namespace {

TEST(ServerName, AcceptsSpecExamples) {
  for (const char* s : {"matrix.org", "matrix.org:8888", "1.2.3.4", "1.2.3.4:1234",
                        "[1234:5678::abcd]", "[1234:5678::abcd]:5678", "localhost", "a-b.c",
                        "[::ffff:1.2.3.4]", "999"}) {
    EXPECT_TRUE(is_valid_server_name(s)) << s;
  }
}

TEST(ServerName, RejectsMalformed) {
  for (const char* s : {"", ":80", "matrix.org:", "matrix.org:123456", "matrix.org:65536",
                        "matrix.org:8a", "under_score.org", "1.2.3.256", "[1234::abcd",
                        "1234::abcd", "[]", "[zz::1]", "[1::2::3]", "exa mple.org", "ex@mple"}) {
    EXPECT_FALSE(is_valid_server_name(s)) << s;
  }
  EXPECT_FALSE(is_valid_server_name(std::string(256, 'a')));
  EXPECT_TRUE(is_valid_server_name(std::string(255, 'a')));
}

TEST(ServerName, SplitsHostAndPort) {
  auto v6 = parse_server_name("[::1]:8448");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "[::1]");
  EXPECT_EQ(v6->port, 8448);
  auto dns = parse_server_name("example.org");
  ASSERT_TRUE(dns);
  EXPECT_EQ(dns->host, "example.org");
  EXPECT_FALSE(dns->port);
}

TEST(UserId, StrictAndHistorical) {
  EXPECT_TRUE(is_valid_user_id("@alice:example.org", false));
  EXPECT_TRUE(is_valid_user_id("@a.b_c=d-e/f+g:example.org:8448", false));
  EXPECT_FALSE(is_valid_user_id("@Alice:example.org", false));
  EXPECT_TRUE(is_valid_user_id("@Alice:example.org", true));
  EXPECT_TRUE(is_valid_user_id("@:example.org", true));
  EXPECT_FALSE(is_valid_user_id("@:example.org", false));
  EXPECT_TRUE(is_valid_user_id("@\xE6\x97\xA5:example.org", true));
  EXPECT_FALSE(is_valid_user_id("@\xC0\x80:example.org", true));  // overlong NUL
  EXPECT_FALSE(is_valid_user_id(std::string("@a\0b:example.org", 16), true));
  EXPECT_FALSE(is_valid_user_id("alice:example.org"));
  EXPECT_FALSE(is_valid_user_id("@alice"));
  EXPECT_FALSE(is_valid_user_id("@alice:"));
  EXPECT_FALSE(is_valid_user_id("@alice:bad_host"));
}

TEST(UserId, LengthLimitIsBytesIncludingSigilAndDomain) {
  const std::string domain = ":example.org";
  const std::string ok = "@" + std::string(255 - 1 - domain.size(), 'a') + domain;
  ASSERT_EQ(ok.size(), 255u);
  EXPECT_TRUE(is_valid_user_id(ok));
  EXPECT_FALSE(is_valid_user_id("@a" + ok.substr(1)));
}

TEST(UserId, ParsesParts) {
  auto id = parse_user_id("@bob:[::1]:8008");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->localpart, "bob");
  EXPECT_EQ(id->server_name, "[::1]:8008");
  EXPECT_EQ(server_name_of("@bob:[::1]:8008"), "[::1]:8008");
}

TEST(UserLocalpart, Grammar) {
  EXPECT_TRUE(is_valid_user_localpart("abc.def_=-/+09"));
  EXPECT_FALSE(is_valid_user_localpart(""));
  EXPECT_FALSE(is_valid_user_localpart("ABC"));
  EXPECT_FALSE(is_valid_user_localpart("a:b"));
  EXPECT_FALSE(is_valid_user_localpart("a b"));
}

TEST(RoomId, BothForms) {
  EXPECT_TRUE(is_valid_room_id("!abc:example.org"));
  const std::string v12 = "!" + std::string(42, 'A') + "_";
  EXPECT_TRUE(is_valid_room_id(v12));
  EXPECT_FALSE(is_valid_room_id("!" + std::string(42, 'A') + "/"));
  EXPECT_FALSE(is_valid_room_id("!" + std::string(42, 'A')));
  EXPECT_FALSE(is_valid_room_id("!abc"));
  EXPECT_FALSE(is_valid_room_id("#abc:example.org"));
  const auto* v11 = find_room_version("11");
  const auto* v12v = find_room_version("12");
  EXPECT_TRUE(is_valid_room_id_for("!abc:example.org", *v11));
  EXPECT_FALSE(is_valid_room_id_for("!abc:example.org", *v12v));
  EXPECT_TRUE(is_valid_room_id_for(v12, *v12v));
  EXPECT_FALSE(is_valid_room_id_for(v12, *v11));
}

TEST(EventId, FormsPerVersion) {
  const std::string plain = "$" + std::string(43, 'a');
  const std::string std_form = "$" + std::string(42, 'a') + "+";
  const std::string url_form = "$" + std::string(42, 'a') + "-";
  EXPECT_TRUE(is_valid_event_id("$abc:example.org"));
  EXPECT_TRUE(is_valid_event_id(plain));
  EXPECT_TRUE(is_valid_event_id(std_form));
  EXPECT_TRUE(is_valid_event_id(url_form));
  EXPECT_FALSE(is_valid_event_id("$" + std::string(41, 'a') + "+-"));
  EXPECT_FALSE(is_valid_event_id("$abc"));
  EXPECT_TRUE(is_valid_event_id_for("$abc:example.org", EventFormat::v1));
  EXPECT_FALSE(is_valid_event_id_for(plain, EventFormat::v1));
  EXPECT_TRUE(is_valid_event_id_for(std_form, EventFormat::v3));
  EXPECT_FALSE(is_valid_event_id_for(url_form, EventFormat::v3));
  EXPECT_TRUE(is_valid_event_id_for(url_form, EventFormat::v4));
  EXPECT_FALSE(is_valid_event_id_for(std_form, EventFormat::v4));
  EXPECT_TRUE(is_valid_event_id_for(plain, EventFormat::v4));
  auto parsed = parse_event_id("$x:domain");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->form, EventIdForm::domain);
  EXPECT_EQ(parsed->server_name, "domain");
}

TEST(RoomAlias, Grammar) {
  EXPECT_TRUE(is_valid_room_alias("#room:example.org"));
  EXPECT_TRUE(is_valid_room_alias("#:example.org"));
  EXPECT_FALSE(is_valid_room_alias("#room"));
  EXPECT_FALSE(is_valid_room_alias("#ro\xFFom:example.org"));
  auto a = parse_room_alias("#x:y.org");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->localpart, "x");
}

TEST(DeviceId, NonEmpty) {
  EXPECT_TRUE(is_valid_device_id("ABCDEF"));
  EXPECT_FALSE(is_valid_device_id(""));
  EXPECT_FALSE(is_valid_device_id(std::string(256, 'A')));
}

}  // namespace
}  // namespace ranvier::core
