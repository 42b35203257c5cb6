#include "core/http_url.hpp"

#include <gtest/gtest.h>

namespace ranvier::core {
namespace {

// The URL preview fetcher's cases: any URL a message may carry.
TEST(HttpUrl, PreviewUrls) {
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
  // Digits and dots that are not a dotted quad are a name to resolve, not an address.
  u = parse_http_url("http://1.2.3/");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->ip_literal);
}

TEST(HttpUrl, BadUrlsAreRefused) {
  EXPECT_FALSE(parse_http_url("ftp://example.org/"));
  EXPECT_FALSE(parse_http_url("http://user@example.org/"));
  EXPECT_FALSE(parse_http_url("http://user:pw@example.org/"));
  EXPECT_FALSE(parse_http_url("http://example.org:0/"));
  EXPECT_FALSE(parse_http_url("http://example.org:99999/"));
  EXPECT_FALSE(parse_http_url("http://example.org:/"));
  EXPECT_FALSE(parse_http_url("http://example.org:8a/"));
  EXPECT_FALSE(parse_http_url("http:///path"));
  EXPECT_FALSE(parse_http_url("http://exa mple.org/"));
  EXPECT_FALSE(parse_http_url("http://example.org/a b"));
  EXPECT_FALSE(parse_http_url("http://example.org/\x7f"));
  EXPECT_FALSE(parse_http_url("http://[nope]/"));
  EXPECT_FALSE(parse_http_url("http://[::1/"));
  EXPECT_FALSE(parse_http_url("http://1.2.3.999/"));
  EXPECT_FALSE(parse_http_url("javascript:alert(1)"));
  EXPECT_FALSE(parse_http_url("example.org"));
  EXPECT_FALSE(parse_http_url(""));
}

// `ranvier doctor`'s cases: m.homeserver.base_url values and redirect locations.
TEST(HttpUrl, DoctorUrls) {
  auto url = parse_http_url("https://matrix.example.org");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, (HttpUrl{.tls = true, .host = "matrix.example.org", .port = 443, .target = "/"}));
  EXPECT_EQ(url->host_header(), "matrix.example.org");
  auto plain = parse_http_url("http://127.0.0.1:8008/prefix/?x=1#frag");
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, (HttpUrl{.tls = false, .host = "127.0.0.1", .port = 8008, .target = "/prefix/?x=1",
                             .ip_literal = true}));
  EXPECT_EQ(plain->host_header(), "127.0.0.1:8008");
  auto v6 = parse_http_url("https://[::1]:8443/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header(), "[::1]:8443");
  auto default_port = parse_http_url("http://example.org:80/x");
  ASSERT_TRUE(default_port);
  EXPECT_EQ(default_port->host_header(), "example.org");
  auto fragment_only = parse_http_url("https://example.org#top");
  ASSERT_TRUE(fragment_only);
  EXPECT_EQ(fragment_only->target, "/");
  EXPECT_FALSE(parse_http_url("https://exa mple.org/"));
  EXPECT_FALSE(parse_http_url("https://ex!ample.org/"));
}

}  // namespace
}  // namespace ranvier::core
