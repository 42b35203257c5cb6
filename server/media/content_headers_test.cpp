#include "media/content_headers.hpp"

#include "media/media_id.hpp"

#include <gtest/gtest.h>

namespace ranvier::media {
namespace {

TEST(ContentHeaders, InlineOnlyForTheSpecsSafeTypes) {
  EXPECT_TRUE(is_inline_safe("image/png"));
  EXPECT_TRUE(is_inline_safe("Text/Plain; charset=utf-8"));
  EXPECT_FALSE(is_inline_safe("text/html"));
  EXPECT_FALSE(is_inline_safe("image/svg+xml"));
  EXPECT_FALSE(is_inline_safe("application/octet-stream"));
  EXPECT_EQ(content_disposition("image/png", ""), "inline");
  EXPECT_EQ(content_disposition("text/html", "x.html"), "attachment; filename=\"x.html\"");
}

TEST(ContentHeaders, FileNamesAreQuotedAndUtf8Encoded) {
  EXPECT_EQ(content_disposition("text/plain", "a \"b\".txt"), "inline; filename=\"a \\\"b\\\".txt\"");
  EXPECT_EQ(content_disposition("application/pdf", "r\xC3\xA9sum\xC3\xA9.pdf"),
            "attachment; filename=\"r__sum__.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf");
}

TEST(ContentHeaders, SecurityHeadersAndDefaultType) {
  const auto headers = media_headers("image/png", "");
  ASSERT_EQ(headers.size(), 3U);
  EXPECT_EQ(headers[1].first, "Content-Security-Policy");
  EXPECT_TRUE(headers[1].second.starts_with("sandbox;"));
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{"Cross-Origin-Resource-Policy", "cross-origin"}));
  EXPECT_EQ(upload_content_type(""), "application/octet-stream");
  EXPECT_EQ(upload_content_type(" image/png "), "image/png");
}

TEST(MediaId, GeneratedIdsAreValidAndCharactersAreChecked) {
  const auto id = new_media_id();
  EXPECT_EQ(id.size(), 24U);
  EXPECT_TRUE(is_valid_media_id(id));
  EXPECT_NE(id, new_media_id());
  EXPECT_TRUE(is_valid_media_id("abc_DEF-123"));
  EXPECT_FALSE(is_valid_media_id(""));
  EXPECT_FALSE(is_valid_media_id("../etc/passwd"));
  EXPECT_FALSE(is_valid_media_id("a.b"));
  EXPECT_FALSE(is_valid_media_id(std::string(256, 'a')));
}

}  // namespace
}  // namespace ranvier::media

namespace ranvier::media {
namespace {

TEST(ContentHeaders, FileNamesAreReadBack) {
  EXPECT_EQ(file_name_of("inline; filename=\"cat.png\""), "cat.png");
  EXPECT_EQ(file_name_of("attachment; filename=plain.txt; size=3"), "plain.txt");
  EXPECT_EQ(file_name_of("attachment; filename=\"a \\\"b\\\".txt\""), "a \"b\".txt");
  EXPECT_EQ(file_name_of(content_disposition("application/pdf", "r\xC3\xA9sum\xC3\xA9.pdf")), "r\xC3\xA9sum\xC3\xA9.pdf");
  EXPECT_EQ(file_name_of("inline"), "");
  EXPECT_EQ(file_name_of("inline; filename*=UTF-8''%E2%82%AC%zz"), "\xE2\x82\xAC%zz");
  EXPECT_EQ(file_name_of("inline; filename=\"unterminated"), "unterminated");
}

}  // namespace
}  // namespace ranvier::media
