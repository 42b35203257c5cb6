#include "media/opengraph.hpp"

#include <gtest/gtest.h>

namespace ranvier::media {
namespace {

TEST(OpenGraph, MetaPropertiesAreCollected) {
  const auto og = parse_opengraph(
      "<html><head><title>Ignored</title>"
      "<META property=\"og:title\" content=\"Tom &amp; Jerry&#39;s &#x263A;\">"
      "<meta content='A  cat\n and a mouse' property='og:description' />"
      "<meta property=og:image content=/img.png>"
      "<meta property=\"og:title\" content=\"second title loses\">"
      "<metadata property=\"og:type\" content=\"no\"></head></html>");
  EXPECT_EQ(og["og:title"], "Tom & Jerry's \xE2\x98\xBA");
  EXPECT_EQ(og["og:description"], "A cat and a mouse");
  EXPECT_EQ(og["og:image"], "/img.png");
  EXPECT_FALSE(og.contains("og:type"));
}

TEST(OpenGraph, FallsBackToTitleAndDescription) {
  const auto og = parse_opengraph(
      "<head><title> Plain\n page </title><meta name=\"description\" content=\"About it\"></head>");
  EXPECT_EQ(og["og:title"], "Plain page");
  EXPECT_EQ(og["og:description"], "About it");
}

TEST(OpenGraph, GarbageGivesAnObject) {
  EXPECT_EQ(parse_opengraph(""), nlohmann::json::object());
  EXPECT_EQ(parse_opengraph("<meta"), nlohmann::json::object());
  EXPECT_EQ(parse_opengraph("<meta property=\"og:title\" content=\"unterminated"),
            (nlohmann::json{{"og:title", "unterminated"}}));
  const auto bad_utf8 = parse_opengraph("<title>\xFF\xFE</title>");
  EXPECT_TRUE(bad_utf8["og:title"].is_string());
  EXPECT_NO_THROW((void)bad_utf8.dump());
}

TEST(OpenGraph, UrlsResolveAgainstThePage) {
  EXPECT_EQ(resolve_url("http://h.example/a/b.html?q", "/img.png"), "http://h.example/img.png");
  EXPECT_EQ(resolve_url("http://h.example/a/b.html", "img.png"), "http://h.example/a/img.png");
  EXPECT_EQ(resolve_url("https://h.example", "img.png"), "https://h.example/img.png");
  EXPECT_EQ(resolve_url("https://h.example/a", "//cdn.example/x"), "https://cdn.example/x");
  EXPECT_EQ(resolve_url("https://h.example/a", "HTTP://other/x"), "HTTP://other/x");
}

}  // namespace
}  // namespace ranvier::media
