#include "api/router.hpp"

#include <gtest/gtest.h>

#include <array>

using namespace ranvier::api;

namespace {

bool no_handler() { return false; }

Operation op(std::string_view method, std::string_view path, std::string_view id) {
  return Operation{ApiFamily::client_server, method, path, id, AuthRequirement::none, AuthScheme::none,
                   false, false, "test.yaml", nullptr, &no_handler};
}

const std::array<Operation, 6> table{
    op("GET", "/_matrix/client/v3/rooms/{roomId}/state", "getRoomState"),
    op("GET", "/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}", "getRoomStateWithKey"),
    op("PUT", "/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}", "setRoomStateWithKey"),
    op("GET", "/_matrix/client/v3/user/{userId}/filter/{filterId}", "getFilter"),
    op("GET", "/_matrix/client/v3/publicRooms", "getPublicRooms"),
    op("POST", "/_matrix/client/v3/publicRooms", "queryPublicRooms"),
};

}  // namespace

TEST(RouterTest, MatchesAndDecodesParameters) {
  Router r(table);
  auto m = r.match("GET", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/state/m.room.member/%40al%2Fice%3Ax");
  ASSERT_EQ(m.kind, RouteMatch::Kind::found);
  EXPECT_EQ(m.operation->operation_id, "getRoomStateWithKey");
  ASSERT_EQ(m.params.size(), 3U);
  EXPECT_EQ(m.params[0], "!abc:example.org");
  EXPECT_EQ(m.params[2], "@al/ice:x");  // an encoded slash stays inside its segment
}

TEST(RouterTest, EmptyLastParameterIsAnEmptyStateKey) {
  Router r(table);
  auto m = r.match("PUT", "/_matrix/client/v3/rooms/!a:b/state/m.room.name/");
  ASSERT_EQ(m.kind, RouteMatch::Kind::found);
  EXPECT_EQ(m.params.back(), "");
  EXPECT_EQ(r.match("GET", "/_matrix/client/v3/rooms//state").kind, RouteMatch::Kind::no_such_path);
  // Without the trailing slash the state key is empty too.
  auto bare = r.match("GET", "/_matrix/client/v3/rooms/!a:b/state/m.room.name");
  ASSERT_EQ(bare.kind, RouteMatch::Kind::found);
  EXPECT_EQ(bare.operation->operation_id, "getRoomStateWithKey");
  EXPECT_EQ(bare.params, (std::vector<std::string>{"!a:b", "m.room.name", ""}));
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  Router r(table);
  auto m = r.match("DELETE", "/_matrix/client/v3/publicRooms");
  ASSERT_EQ(m.kind, RouteMatch::Kind::wrong_method);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string_view>{"GET", "POST"}));
}

TEST(RouterTest, UnknownPaths) {
  Router r(table);
  EXPECT_EQ(r.match("GET", "/_matrix/client/v3/nothing").kind, RouteMatch::Kind::no_such_path);
  EXPECT_EQ(r.match("GET", "/").kind, RouteMatch::Kind::no_such_path);
  EXPECT_EQ(r.match("GET", "").kind, RouteMatch::Kind::no_such_path);
}

TEST(RouterTest, BadPercentEncoding) {
  Router r(table);
  EXPECT_EQ(r.match("GET", "/_matrix/client/v3/rooms/%zz/state").kind, RouteMatch::Kind::bad_encoding);
  EXPECT_EQ(r.match("GET", "/_matrix/client/v3/rooms/abc%2/state").kind, RouteMatch::Kind::bad_encoding);
  EXPECT_EQ(r.match("GET", "/_matrix/client/v3/rooms/%ff%fe/state").kind, RouteMatch::Kind::bad_encoding);
}

TEST(RouterTest, QueryParsing) {
  auto q = parse_query("limit=10&since=a%20b&filter=x+y&&flag");
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->size(), 4U);
  EXPECT_EQ((*q)[1].second, "a b");
  EXPECT_EQ((*q)[2].second, "x y");
  EXPECT_EQ((*q)[3].first, "flag");
  EXPECT_FALSE(parse_query("a=%").has_value());
}

TEST(RouterTest, PercentDecodeEdges) {
  EXPECT_EQ(percent_decode("%41%42c"), "ABc");
  EXPECT_FALSE(percent_decode("%4").has_value());
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("%c3%28").has_value());  // invalid UTF-8
  EXPECT_EQ(percent_decode("a+b"), "a+b");
}
