#include "api/rate_limiter.hpp"

#include <gtest/gtest.h>

using ranvier::api::Rate;
using ranvier::api::RateLimiter;
using namespace std::chrono_literals;

namespace {
const auto t0 = RateLimiter::Clock::time_point{} + 1h;
}

TEST(RateLimiterTest, BurstThenRefillAtTheConfiguredRate) {
  RateLimiter limiter(true, Rate{2.0, 3});  // 2 per second, bursts of 3
  EXPECT_FALSE(limiter.acquire("login", "@a:x", t0));
  EXPECT_FALSE(limiter.acquire("login", "@a:x", t0));
  EXPECT_FALSE(limiter.acquire("login", "@a:x", t0));
  auto wait = limiter.acquire("login", "@a:x", t0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 500);  // one token comes back after 1/2 s
  EXPECT_TRUE(limiter.acquire("login", "@a:x", t0 + 400ms).has_value());
  EXPECT_FALSE(limiter.acquire("login", "@a:x", t0 + 1000ms));
}

TEST(RateLimiterTest, CallersAndEndpointsHaveTheirOwnBuckets) {
  RateLimiter limiter(true, Rate{1.0, 1});
  EXPECT_FALSE(limiter.acquire("login", "10.0.0.1", t0));
  EXPECT_TRUE(limiter.acquire("login", "10.0.0.1", t0).has_value());
  EXPECT_FALSE(limiter.acquire("login", "10.0.0.2", t0));
  EXPECT_FALSE(limiter.acquire("register", "10.0.0.1", t0));
}

TEST(RateLimiterTest, PerEndpointOverrides) {
  RateLimiter limiter(true, Rate{1.0, 1}, {{"sendMessage", Rate{10.0, 5}}});
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(limiter.acquire("sendMessage", "@a:x", t0));
  }
  EXPECT_TRUE(limiter.acquire("sendMessage", "@a:x", t0).has_value());
  EXPECT_FALSE(limiter.acquire("login", "@a:x", t0));
  EXPECT_TRUE(limiter.acquire("login", "@a:x", t0).has_value());
}

TEST(RateLimiterTest, DisabledAdmitsEverything) {
  RateLimiter limiter(false, Rate{0.001, 1});
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(limiter.acquire("login", "k"));
  }
}
