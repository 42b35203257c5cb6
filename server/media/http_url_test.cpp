#include "media/http_url.hpp"

#include <gtest/gtest.h>

namespace ranvier::media {
namespace {

TEST(HttpUrl, PartsOfGoodUrls) {
  auto u = parse_http_url("HTTPS://Example.ORG/a/b?c=d#frag");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "example.org");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/a/b?c=d");
  EXPECT_FALSE(u->ip_literal);
  EXPECT_EQ(u->host_header(), "example.org");
  u = parse_http_url("http://127.0.0.1:8080?x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/?x");
  EXPECT_TRUE(u->ip_literal);
  EXPECT_EQ(u->host_header(), "127.0.0.1:8080");
  u = parse_http_url("http://[::1]:81/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_TRUE(u->ip_literal);
  EXPECT_EQ(u->host_header(), "[::1]:81");
}

TEST(HttpUrl, BadUrlsAreRefused) {
  EXPECT_FALSE(parse_http_url("ftp://example.org/"));
  EXPECT_FALSE(parse_http_url("http://user@example.org/"));
  EXPECT_FALSE(parse_http_url("http://example.org:0/"));
  EXPECT_FALSE(parse_http_url("http://example.org:99999/"));
  EXPECT_FALSE(parse_http_url("http://example.org:/"));
  EXPECT_FALSE(parse_http_url("http:///path"));
  EXPECT_FALSE(parse_http_url("http://exa mple.org/"));
  EXPECT_FALSE(parse_http_url("http://[nope]/"));
  EXPECT_FALSE(parse_http_url("javascript:alert(1)"));
}

}  // namespace
}  // namespace ranvier::media
