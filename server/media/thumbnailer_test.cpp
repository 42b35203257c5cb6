#include "media/thumbnailer.hpp"

#include "media/test_images.hpp"

#include <gtest/gtest.h>

namespace ranvier::media {
namespace {

ThumbnailSpec spec(int w, int h, ThumbnailMethod method) { return ThumbnailSpec{.width = w, .height = h, .method = method}; }

TEST(ThumbnailSize, ScaleFitsTheBoxKeepingTheAspectRatio) {
  auto s = thumbnail_size(100, 50, spec(40, 40, ThumbnailMethod::scale));
  EXPECT_EQ(s.width, 40);
  EXPECT_EQ(s.height, 20);
  s = thumbnail_size(100, 50, spec(400, 400, ThumbnailMethod::scale));
  EXPECT_EQ(s.width, 100);  // never upscaled
  EXPECT_EQ(s.height, 50);
}

TEST(ThumbnailSize, CropGivesTheRequestedSizeCappedAtTheSource) {
  auto s = thumbnail_size(100, 50, spec(40, 40, ThumbnailMethod::crop));
  EXPECT_EQ(s.width, 40);
  EXPECT_EQ(s.height, 40);
  s = thumbnail_size(100, 50, spec(80, 80, ThumbnailMethod::crop));
  EXPECT_EQ(s.width, 80);
  EXPECT_EQ(s.height, 50);
}

TEST(Thumbnailer, PngScaledAndCropped) {
  const auto png = test::make_png(100, 50);
  auto scaled = make_thumbnail(png, spec(40, 40, ThumbnailMethod::scale));
  ASSERT_TRUE(scaled);
  EXPECT_FALSE(scaled->use_original);
  EXPECT_EQ(scaled->content_type, "image/png");
  EXPECT_EQ(sniff_image_type(scaled->bytes), "image/png");
  int w = 0, h = 0, c = 0;
  ASSERT_TRUE(stbi_info_from_memory(reinterpret_cast<const unsigned char*>(scaled->bytes.data()),
                                    static_cast<int>(scaled->bytes.size()), &w, &h, &c));
  EXPECT_EQ(w, 40);
  EXPECT_EQ(h, 20);
  auto cropped = make_thumbnail(png, spec(40, 40, ThumbnailMethod::crop));
  ASSERT_TRUE(cropped);
  ASSERT_TRUE(stbi_info_from_memory(reinterpret_cast<const unsigned char*>(cropped->bytes.data()),
                                    static_cast<int>(cropped->bytes.size()), &w, &h, &c));
  EXPECT_EQ(w, 40);
  EXPECT_EQ(h, 40);
}

TEST(Thumbnailer, JpegStaysJpegAndAlphaStaysPng) {
  auto jpeg = make_thumbnail(test::make_jpeg(64, 64), spec(32, 32, ThumbnailMethod::crop));
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->content_type, "image/jpeg");
  auto rgba = make_thumbnail(test::make_png(64, 64, 4), spec(32, 32, ThumbnailMethod::scale));
  ASSERT_TRUE(rgba);
  EXPECT_EQ(rgba->content_type, "image/png");
}

TEST(Thumbnailer, SmallImagesAreServedAsTheyAre) {
  auto small = make_thumbnail(test::make_png(20, 10), spec(32, 32, ThumbnailMethod::crop));
  ASSERT_TRUE(small);
  EXPECT_TRUE(small->use_original);
  EXPECT_EQ(small->width, 20);
  EXPECT_TRUE(small->bytes.empty());
}

TEST(Thumbnailer, ImageSizeFromTheHeader) {
  const auto size = image_size(test::make_png(30, 20));
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, 30);
  EXPECT_EQ(size->height, 20);
  EXPECT_FALSE(image_size("GIF89a"));
  EXPECT_FALSE(image_size("text"));
}

TEST(Thumbnailer, Errors) {
  const auto png = test::make_png(100, 100);
  EXPECT_EQ(make_thumbnail(png, spec(0, 10, ThumbnailMethod::scale)).error(), ThumbnailError::bad_dimensions);
  EXPECT_EQ(make_thumbnail(png, spec(10, -1, ThumbnailMethod::scale)).error(), ThumbnailError::bad_dimensions);
  EXPECT_EQ(make_thumbnail("%PDF-1.4 not an image", spec(10, 10, ThumbnailMethod::scale)).error(),
            ThumbnailError::not_an_image);
  EXPECT_EQ(make_thumbnail(png.substr(0, 40), spec(10, 10, ThumbnailMethod::scale)).error(),
            ThumbnailError::not_an_image);
  auto limited = spec(10, 10, ThumbnailMethod::scale);
  limited.max_source_pixels = 100 * 100 - 1;
  EXPECT_EQ(make_thumbnail(png, limited).error(), ThumbnailError::too_large);
}

}  // namespace
}  // namespace ranvier::media
