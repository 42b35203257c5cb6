#include "api/rate_limiter.hpp"

#include <gtest/gtest.h>

using ranvier::api::RateLimiter;
using namespace std::chrono_literals;

TEST(RateLimiterTest, BurstThenRefillAtTheConfiguredRate) {
  RateLimiter limiter(true, 2.0, 3);  // 2 per second, bursts of 3
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_FALSE(limiter.acquire("@a:x", t0));
  EXPECT_FALSE(limiter.acquire("@a:x", t0));
  EXPECT_FALSE(limiter.acquire("@a:x", t0));
  auto wait = limiter.acquire("@a:x", t0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 500);  // one token comes back after 1/2 s
  EXPECT_TRUE(limiter.acquire("@a:x", t0 + 400ms).has_value());
  EXPECT_FALSE(limiter.acquire("@a:x", t0 + 1000ms));
}

TEST(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter(true, 1.0, 1);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_FALSE(limiter.acquire("10.0.0.1", t0));
  EXPECT_TRUE(limiter.acquire("10.0.0.1", t0).has_value());
  EXPECT_FALSE(limiter.acquire("10.0.0.2", t0));
}

TEST(RateLimiterTest, DisabledAdmitsEverything) {
  RateLimiter limiter(false, 0.001, 1);
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(limiter.acquire("k"));
  }
}
