#pragma once
// Byte classification shared by the canonical JSON encoder and the strict parser, with an
// eight-bytes-at-a-time check so long plain strings are skipped quickly (strings dominate the
// cost of encoding an event).

#include <cstdint>
#include <cstring>

namespace ranvier::core::json_bytes {

/// True for bytes a JSON string must escape: controls, quote and backslash.
constexpr bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

/// Loads eight bytes from `p` (unaligned).
inline std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;

/// Nonzero if some byte of `w` is zero (the classic SWAR test; exact as a yes/no answer).
constexpr std::uint64_t has_zero_byte(std::uint64_t w) { return (w - ones) & ~w & highs; }

/// Nonzero if some byte of `w` may need escaping. Never misses one; callers re-check bytewise.
constexpr std::uint64_t may_need_escape(std::uint64_t w) {
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return below_space | has_zero_byte(w ^ (ones * '"')) | has_zero_byte(w ^ (ones * '\\'));
}

/// Nonzero if some byte of `w` is not ASCII.
constexpr std::uint64_t has_non_ascii(std::uint64_t w) { return w & highs; }

}  // namespace ranvier::core::json_bytes
