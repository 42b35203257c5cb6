// Fuzz target: thumbnailing untrusted image bytes (media/thumbnailer). The first two bytes
// choose the requested size and method, the rest is the image. Invariants: no crash, no
// exception; a thumbnail is never larger than the source nor than asked for (crop) and is a
// PNG or JPEG that decodes again to its stated size.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_assert.hpp"
#include "media/thumbnailer.hpp"

namespace media = ranvier::media;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  media::ThumbnailSpec spec;
  spec.width = 1 + (data[0] & 0x3F);
  spec.height = 1 + (data[1] & 0x3F);
  spec.method = (data[0] & 0x80) != 0 ? media::ThumbnailMethod::crop : media::ThumbnailMethod::scale;
  // Large enough for every decoder path, small enough that one input stays well under
  // libFuzzer's timeout with sanitizers on (4 Mpx GIFs took 20 s there, 0.3 s in a release build).
  spec.max_source_pixels = 1024 * 1024;
  const std::string_view image(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto result = media::make_thumbnail(image, spec);
  if (!result) {
    FUZZ_ASSERT(!media::to_string(result.error()).empty());
    return 0;
  }
  FUZZ_ASSERT(result->width >= 1 && result->height >= 1);
  if (result->use_original) {
    FUZZ_ASSERT(result->width <= spec.width && result->height <= spec.height);
    return 0;
  }
  if (spec.method == media::ThumbnailMethod::crop) {
    FUZZ_ASSERT(result->width <= spec.width && result->height <= spec.height);
  }
  FUZZ_ASSERT(media::sniff_image_type(result->bytes) == result->content_type);
  media::ThumbnailSpec again{.width = 4096, .height = 4096, .method = media::ThumbnailMethod::scale};
  const auto decoded = media::make_thumbnail(result->bytes, again);
  FUZZ_ASSERT(decoded && decoded->use_original && decoded->width == result->width &&
              decoded->height == result->height);
  return 0;
}
