#include "rooms/typing.hpp"

#include <gtest/gtest.h>

namespace ranvier::rooms {
namespace {

using namespace std::chrono_literals;

TEST(Typing, StartsStopsAndNumbersChanges) {
  Typing typing;
  const auto t0 = Typing::Clock::now();
  const auto start = typing.position();
  EXPECT_TRUE(typing.set("!r", "@b:x", true, 30s, t0));
  EXPECT_TRUE(typing.set("!r", "@a:x", true, 30s, t0));
  EXPECT_FALSE(typing.set("!r", "@a:x", true, 30s, t0));  // still typing: nothing new to show
  EXPECT_EQ(typing.typing_in("!r"), (std::vector<std::string>{"@a:x", "@b:x"}));
  EXPECT_GT(typing.room_position("!r"), start);
  EXPECT_EQ(typing.room_position("!other"), 0);
  const auto before = typing.position();
  EXPECT_TRUE(typing.set("!r", "@a:x", false, 0s, t0));
  EXPECT_FALSE(typing.set("!r", "@a:x", false, 0s, t0));
  EXPECT_GT(typing.position(), before);
  EXPECT_EQ(typing.typing_in("!r"), (std::vector<std::string>{"@b:x"}));
}

TEST(Typing, TimeoutsExpire) {
  Typing typing;
  const auto t0 = Typing::Clock::now();
  typing.set("!r", "@a:x", true, 5s, t0);
  typing.set("!r", "@b:x", true, 20s, t0);
  EXPECT_FALSE(typing.expire(t0 + 4s));
  const auto before = typing.room_position("!r");
  EXPECT_TRUE(typing.expire(t0 + 5s));
  EXPECT_GT(typing.room_position("!r"), before);
  EXPECT_EQ(typing.typing_in("!r"), (std::vector<std::string>{"@b:x"}));
  EXPECT_TRUE(typing.expire(t0 + 21s));
  EXPECT_TRUE(typing.typing_in("!r").empty());
}

TEST(Typing, RoomsChangedSinceListsEachRoomWithItsLatestChange) {
  Typing typing;
  const auto start = typing.position();
  typing.set("!a", "@a:x", true, 5s);
  const auto after_a = typing.position();
  typing.set("!b", "@a:x", true, 5s);
  typing.set("!b", "@b:x", true, 5s);
  EXPECT_EQ(typing.rooms_changed_since(start),
            (std::vector<std::pair<std::string, std::int64_t>>{{"!a", after_a}, {"!b", typing.position()}}));
  EXPECT_EQ(typing.rooms_changed_since(after_a),
            (std::vector<std::pair<std::string, std::int64_t>>{{"!b", typing.position()}}));
  EXPECT_TRUE(typing.rooms_changed_since(typing.position()).empty());
}

TEST(Typing, PositionsKeepGrowingAcrossRestarts) {
  Typing earlier;
  earlier.set("!r", "@a:x", true, 1s);
  Typing later;
  EXPECT_GE(later.position(), earlier.position() - 1);
}

}  // namespace
}  // namespace ranvier::rooms
