#pragma once
// Thumbnails of JPEG, PNG and GIF images (spec: client-server API, "Content repository" →
// "Thumbnails"). Pure: bytes in, bytes or a typed error out; never throws for any input, so
// it is fuzzed (fuzz/thumbnail.cpp). Images are untrusted: the pixel count is checked from the
// header before anything is decoded.

#include "core/expected.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::media {

enum class ThumbnailMethod { crop, scale };

/// What was asked for, and the limit on the source image.
struct ThumbnailSpec {
  int width = 0;   ///< the desired width, > 0
  int height = 0;  ///< the desired height, > 0
  ThumbnailMethod method = ThumbnailMethod::scale;
  /// Largest source image (width × height) that is decoded.
  std::uint64_t max_source_pixels = 32ULL * 1024 * 1024;
};

/// A generated thumbnail, or the verdict that the original is small enough to serve instead
/// (the spec: never upscale; serve the original when it is smaller than asked).
struct Thumbnail {
  bool use_original = false;
  std::string bytes;         ///< empty when use_original
  std::string content_type;  ///< "image/jpeg" or "image/png"; empty when use_original
  int width = 0;             ///< of the thumbnail, or of the original when use_original
  int height = 0;
};

enum class ThumbnailError {
  bad_dimensions,  ///< width or height not positive, or absurdly large
  not_an_image,    ///< not JPEG, PNG or GIF, or undecodable
  too_large,       ///< the source has more pixels than allowed
  encode_failed,   ///< the encoder gave nothing back
};

/// Short description, for error messages.
std::string_view to_string(ThumbnailError error);

/// The output size for a source of `source_width` × `source_height`: for `scale`, the largest
/// size that fits in the requested box keeping the aspect ratio; for `crop`, the requested
/// size, each side capped at the source's. Never larger than the source.
struct ThumbnailSize {
  int width = 0;
  int height = 0;
};
ThumbnailSize thumbnail_size(int source_width, int source_height, const ThumbnailSpec& spec);

/// Makes a thumbnail of `image`. JPEG sources give JPEG, PNG and GIF (first frame) give PNG.
core::Expected<Thumbnail, ThumbnailError> make_thumbnail(std::string_view image, const ThumbnailSpec& spec);

/// The width and height from a JPEG, PNG or GIF header, without decoding the pixels.
std::optional<ThumbnailSize> image_size(std::string_view image);

/// "image/jpeg", "image/png" or "image/gif" from the first bytes, or empty.
std::string_view sniff_image_type(std::string_view bytes);

}  // namespace ranvier::media
