#include "media/thumbnailer.hpp"

#include "media/stb.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

namespace ranvier::media {
namespace {

using core::fail;

constexpr int max_requested_side = 4096;

struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace

std::string_view to_string(ThumbnailError error) {
  switch (error) {
    case ThumbnailError::bad_dimensions:
      return "width and height must be positive integers";
    case ThumbnailError::not_an_image:
      return "cannot generate thumbnails for this content";
    case ThumbnailError::too_large:
      return "the image is too large to thumbnail";
    case ThumbnailError::encode_failed:
      return "the thumbnail could not be encoded";
  }
  return "thumbnail error";
}

std::string_view sniff_image_type(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xD8\xFF")) {
    return "image/jpeg";
  }
  if (bytes.starts_with("\x89PNG\r\n\x1A\n")) {
    return "image/png";
  }
  if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) {
    return "image/gif";
  }
  return {};
}

ThumbnailSize thumbnail_size(int source_width, int source_height, const ThumbnailSpec& spec) {
  const double sw = source_width;
  const double sh = source_height;
  if (spec.method == ThumbnailMethod::scale) {
    const double factor = std::min({1.0, spec.width / sw, spec.height / sh});
    return {std::max(1, static_cast<int>(std::lround(sw * factor))),
            std::max(1, static_cast<int>(std::lround(sh * factor)))};
  }
  return {std::min(spec.width, source_width), std::min(spec.height, source_height)};
}

std::optional<ThumbnailSize> image_size(std::string_view image) {
  if (sniff_image_type(image).empty() || image.size() > static_cast<std::size_t>(INT32_MAX)) {
    return std::nullopt;
  }
  int w = 0;
  int h = 0;
  int channels = 0;
  if (stbi_info_from_memory(reinterpret_cast<const unsigned char*>(image.data()), static_cast<int>(image.size()), &w,
                            &h, &channels) == 0 ||
      w <= 0 || h <= 0) {
    return std::nullopt;
  }
  return ThumbnailSize{w, h};
}

core::Expected<Thumbnail, ThumbnailError> make_thumbnail(std::string_view image, const ThumbnailSpec& spec) {
  if (spec.width <= 0 || spec.height <= 0 || spec.width > max_requested_side || spec.height > max_requested_side) {
    return fail(ThumbnailError::bad_dimensions);
  }
  const auto type = sniff_image_type(image);
  if (type.empty() || image.size() > static_cast<std::size_t>(INT32_MAX)) {
    return fail(ThumbnailError::not_an_image);
  }
  const auto* data = reinterpret_cast<const unsigned char*>(image.data());
  const int length = static_cast<int>(image.size());
  int sw = 0;
  int sh = 0;
  int channels = 0;
  if (stbi_info_from_memory(data, length, &sw, &sh, &channels) == 0 || sw <= 0 || sh <= 0) {
    return fail(ThumbnailError::not_an_image);
  }
  if (static_cast<std::uint64_t>(sw) * static_cast<std::uint64_t>(sh) > spec.max_source_pixels) {
    return fail(ThumbnailError::too_large);
  }
  if (sw <= spec.width && sh <= spec.height) {
    return Thumbnail{.use_original = true, .bytes = {}, .content_type = {}, .width = sw, .height = sh};
  }
  std::unique_ptr<unsigned char, StbFree> pixels(stbi_load_from_memory(data, length, &sw, &sh, &channels, 0));
  if (!pixels || channels < 1 || channels > 4) {
    return fail(ThumbnailError::not_an_image);
  }
  const auto out = thumbnail_size(sw, sh, spec);
  // The part of the source that becomes the thumbnail: all of it for scale; for crop, the
  // centred region with the output's aspect ratio, as large as fits.
  int region_w = sw;
  int region_h = sh;
  if (spec.method == ThumbnailMethod::crop) {
    const double factor = std::min({1.0, std::max(static_cast<double>(out.width) / sw,
                                                  static_cast<double>(out.height) / sh)});
    region_w = std::clamp(static_cast<int>(std::lround(out.width / factor)), 1, sw);
    region_h = std::clamp(static_cast<int>(std::lround(out.height / factor)), 1, sh);
  }
  const int x0 = (sw - region_w) / 2;
  const int y0 = (sh - region_h) / 2;
  const auto stride = static_cast<std::size_t>(sw) * static_cast<std::size_t>(channels);
  const unsigned char* region = pixels.get() + static_cast<std::size_t>(y0) * stride +
                                static_cast<std::size_t>(x0) * static_cast<std::size_t>(channels);
  std::vector<unsigned char> resized(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) *
                                     static_cast<std::size_t>(channels));
  if (stbir_resize_uint8(region, region_w, region_h, static_cast<int>(stride), resized.data(), out.width,
                         out.height, 0, channels) == 0) {
    return fail(ThumbnailError::encode_failed);
  }
  Thumbnail thumbnail;
  thumbnail.width = out.width;
  thumbnail.height = out.height;
  int written = 0;
  if (type == "image/jpeg" && channels != 2 && channels != 4) {
    thumbnail.content_type = "image/jpeg";
    written = stbi_write_jpg_to_func(&append_bytes, &thumbnail.bytes, out.width, out.height, channels,
                                     resized.data(), 85);
  } else {
    thumbnail.content_type = "image/png";
    written = stbi_write_png_to_func(&append_bytes, &thumbnail.bytes, out.width, out.height, channels,
                                     resized.data(), out.width * channels);
  }
  if (written == 0 || thumbnail.bytes.empty()) {
    return fail(ThumbnailError::encode_failed);
  }
  return thumbnail;
}

}  // namespace ranvier::media
