#include "rooms/event_cache.hpp"

#include <gtest/gtest.h>

namespace ranvier::rooms {
namespace {

std::shared_ptr<const ParsedEvent> event(int n) {
  return std::make_shared<const ParsedEvent>(ParsedEvent{{{"n", n}}, false});
}

TEST(EventCache, KeepsTheMostRecentlyUsed) {
  EventCache cache(2);
  cache.put("$a", event(1));
  cache.put("$b", event(2));
  ASSERT_TRUE(cache.find("$a"));  // $a is now the most recent
  cache.put("$c", event(3));      // evicts $b
  EXPECT_TRUE(cache.find("$a"));
  EXPECT_FALSE(cache.find("$b"));
  EXPECT_EQ(cache.find("$c")->pdu["n"], 3);
  EXPECT_EQ(cache.size(), 2u);
  cache.put("$c", event(4));
  EXPECT_EQ(cache.find("$c")->pdu["n"], 4);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(EventCache, ErasedEventsAreReadAgainAndTheirSlotReused) {
  EventCache cache(2);
  cache.put("$a", event(1));
  cache.put("$b", event(2));
  cache.erase("$a");
  cache.erase("$unknown");
  EXPECT_FALSE(cache.find("$a"));
  EXPECT_EQ(cache.size(), 1u);
  cache.put("$c", event(3));  // fits without evicting $b
  EXPECT_TRUE(cache.find("$b"));
  EXPECT_TRUE(cache.find("$c"));
  cache.put("$a", event(4));  // evicts $b, the least recently used
  EXPECT_FALSE(cache.find("$b"));
  EXPECT_EQ(cache.find("$a")->pdu["n"], 4);
}

TEST(EventCache, ZeroCapacityCachesNothing) {
  EventCache cache(0);
  cache.put("$a", event(1));
  EXPECT_FALSE(cache.find("$a"));
}

}  // namespace
}  // namespace ranvier::rooms
