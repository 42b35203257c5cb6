#pragma once
// Small PNG images made in memory for the media tests (stb's writer, so no files needed).

#include "media/stb.hpp"

#include <string>
#include <vector>

namespace ranvier::media::test {

/// A `width` × `height` RGB PNG with a gradient.
inline std::string make_png(int width, int height, int channels = 3) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width * height * channels));
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] = static_cast<unsigned char>(i * 7);
  }
  std::string out;
  stbi_write_png_to_func(
      [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size); },
      &out, width, height, channels, pixels.data(), width * channels);
  return out;
}

/// The same as a JPEG.
inline std::string make_jpeg(int width, int height) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width * height * 3), 128);
  std::string out;
  stbi_write_jpg_to_func(
      [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size); },
      &out, width, height, 3, pixels.data(), 90);
  return out;
}

}  // namespace ranvier::media::test
