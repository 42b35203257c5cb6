#include "rooms/presence.hpp"

#include <gtest/gtest.h>

namespace ranvier::rooms {
namespace {

using namespace std::chrono_literals;

TEST(Presence, SyncingMarksOnlineAndSilenceOffline) {
  Presence presence(5min);
  const std::int64_t t0 = 1'000'000;
  EXPECT_EQ(presence.get("@a:x").presence, "offline");
  const auto start = presence.position();
  EXPECT_TRUE(presence.synced("@a:x", "online", t0));
  EXPECT_FALSE(presence.synced("@a:x", "online", t0 + 1000));
  auto state = presence.get("@a:x");
  EXPECT_EQ(state.presence, "online");
  EXPECT_EQ(state.last_active_ts, t0 + 1000);
  EXPECT_GT(state.position, start);
  // A sync asking for offline leaves the state alone but counts as seen.
  EXPECT_FALSE(presence.synced("@a:x", "offline", t0 + 2000));
  EXPECT_TRUE(presence.expire(t0 + 2000 + 299'999).empty());
  EXPECT_EQ(presence.expire(t0 + 2000 + 300'000), std::vector<std::string>{"@a:x"});
  EXPECT_EQ(presence.get("@a:x").presence, "offline");
}

TEST(Presence, SetChangesStateAndStatusAndIsListedOnce) {
  Presence presence;
  const std::int64_t t0 = 5'000;
  const auto before = presence.position();
  EXPECT_TRUE(presence.set("@a:x", "unavailable", "lunch", t0));
  EXPECT_FALSE(presence.set("@a:x", "unavailable", "lunch", t0));
  EXPECT_TRUE(presence.set("@a:x", "unavailable", "back soon", t0));
  presence.set("@b:x", "online", std::nullopt, t0);
  auto changed = presence.changed_since({"@a:x", "@b:x", "@c:x"}, before);
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[0].second.status_msg, "back soon");
  EXPECT_TRUE(presence.changed_since({"@a:x"}, presence.position()).empty());
}

}  // namespace
}  // namespace ranvier::rooms
