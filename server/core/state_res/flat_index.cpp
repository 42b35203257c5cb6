#include "core/state_res/flat_index.hpp"

#include <cstring>

namespace ranvier::state_res {
namespace {

constexpr std::uint64_t mul = 0x9E3779B97F4A7C15ULL;

std::uint64_t load8(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
  h = (h ^ w) * mul;
  return h ^ (h >> 29);
}

}  // namespace

std::uint64_t hash_string(std::string_view text) noexcept {
  std::uint64_t h = text.size() * mul;
  const char* p = text.data();
  std::size_t n = text.size();
  if (n >= 8) {
    for (; n > 8; n -= 8, p += 8) {
      h = mix(h, load8(p));
    }
    // The last word overlaps the previous one instead of reading a ragged tail.
    h = mix(h, load8(text.data() + text.size() - 8));
  } else {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < n; ++i) {
      w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    }
    h = mix(h, w);
  }
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ULL;
  return h ^ (h >> 32);
}

}  // namespace ranvier::state_res
