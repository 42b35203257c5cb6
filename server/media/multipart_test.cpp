#include "media/multipart.hpp"

#include <gtest/gtest.h>

namespace ranvier::media {
namespace {

TEST(Multipart, WrittenBodiesParseBack) {
  const std::string bytes("\x89PNG\r\n--not-a-boundary\r\n\0binary", 33);
  MultipartPart media{{{"Content-Type", "image/png"}, {"Content-Disposition", "inline"}}, bytes};
  const auto boundary = make_boundary(bytes);
  const auto body = write_federation_media(boundary, "{}", media);
  auto parsed = parse_federation_media(multipart_content_type(boundary), body);
  ASSERT_TRUE(parsed) << to_string(parsed.error());
  EXPECT_EQ(parsed->metadata_json, "{}");
  EXPECT_EQ(parsed->media.body, bytes);
  EXPECT_EQ(parsed->media.header("content-type"), "image/png");
  EXPECT_EQ(parsed->media.header("content-disposition"), "inline");
}

TEST(Multipart, ForeignFormattingIsAccepted) {
  // Preamble, a quoted boundary, padding after a delimiter, a Location part, an epilogue.
  const std::string body =
      "preamble\r\n--b0\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--b0  \r\n"
      "Location: https://cdn.example.org/x\r\n\r\n\r\n--b0--\r\nepilogue";
  auto parsed = parse_federation_media("multipart/mixed; charset=x; boundary=\"b0\"", body);
  ASSERT_TRUE(parsed) << to_string(parsed.error());
  EXPECT_EQ(parsed->metadata_json, "{\"a\":1}");
  EXPECT_EQ(parsed->media.header("location"), "https://cdn.example.org/x");
  EXPECT_TRUE(parsed->media.body.empty());
}

TEST(Multipart, BrokenBodiesAreTypedErrors) {
  EXPECT_EQ(parse_multipart("application/json", "{}").error(), MultipartError::not_multipart);
  EXPECT_EQ(parse_multipart("multipart/mixed", "").error(), MultipartError::not_multipart);
  EXPECT_EQ(parse_multipart("multipart/mixed; boundary=b", "no delimiter").error(), MultipartError::malformed);
  EXPECT_EQ(parse_multipart("multipart/mixed; boundary=b", "--b\r\nX: y\r\n\r\nnever closed").error(),
            MultipartError::malformed);
  EXPECT_EQ(parse_multipart("multipart/mixed; boundary=b", "--b\r\nno blank line\r\n--b--").error(),
            MultipartError::malformed);
  EXPECT_EQ(parse_federation_media("multipart/mixed; boundary=b", "--b\r\n\r\n{}\r\n--b--").error(),
            MultipartError::wrong_part_count);
  EXPECT_EQ(boundary_of("multipart/mixed; boundary=" + std::string(71, 'x')), "");
}

}  // namespace
}  // namespace ranvier::media
