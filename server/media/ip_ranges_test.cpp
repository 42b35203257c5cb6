#include "media/ip_ranges.hpp"

#include <gtest/gtest.h>

namespace ranvier::media {
namespace {

TEST(IpRanges, MatchesPrefixesOfBothFamilies) {
  auto ranges = IpRanges::parse({"10.0.0.0/8", "172.16.0.0/12", "127.0.0.1", "fc00::/7", "::1/128"});
  ASSERT_TRUE(ranges);
  EXPECT_TRUE(ranges->contains("10.1.2.3"));
  EXPECT_TRUE(ranges->contains("172.31.255.255"));
  EXPECT_FALSE(ranges->contains("172.32.0.0"));
  EXPECT_TRUE(ranges->contains("127.0.0.1"));
  EXPECT_FALSE(ranges->contains("127.0.0.2"));
  EXPECT_TRUE(ranges->contains("fd12::1"));
  EXPECT_TRUE(ranges->contains("::1"));
  EXPECT_FALSE(ranges->contains("2001:db8::1"));
  EXPECT_TRUE(ranges->contains("::ffff:10.9.9.9"));  // IPv4-mapped is checked as IPv4
  EXPECT_FALSE(ranges->contains("example.org"));
}

TEST(IpRanges, MalformedEntriesAreRefused) {
  EXPECT_FALSE(IpRanges::parse({"10.0.0.0/33"}));
  EXPECT_FALSE(IpRanges::parse({"example.org/8"}));
  EXPECT_FALSE(IpRanges::parse({"10.0.0.0/"}));
  EXPECT_TRUE(IpRanges::parse({"0.0.0.0/0"}));
}

TEST(IpRanges, AllowListOverridesDenyList) {
  auto deny = *IpRanges::parse({"127.0.0.0/8"});
  auto allow = *IpRanges::parse({"127.0.0.1/32"});
  EXPECT_TRUE(ip_allowed("127.0.0.1", deny, allow));
  EXPECT_FALSE(ip_allowed("127.0.0.2", deny, allow));
  EXPECT_TRUE(ip_allowed("93.184.216.34", deny, allow));
}

}  // namespace
}  // namespace ranvier::media
