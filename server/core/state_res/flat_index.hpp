#pragma once
// An open-addressing table from keys (event IDs, state keys) to small integers. Resolution
// looks keys up far more often than it adds them (every auth edge, state entry and auth-rule
// query is a lookup), so a flat table with a word-at-a-time hash beats std::unordered_map,
// which allocates per entry and hashes bytewise.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::state_res {

namespace detail {

inline constexpr std::uint64_t hash_mul = 0x9E3779B97F4A7C15ULL;

inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

inline std::uint64_t mix(std::uint64_t h, std::uint64_t w) noexcept {
  h = (h ^ w) * hash_mul;
  return h ^ (h >> 29);
}

}  // namespace detail

/// A well-mixed 64-bit hash of `text`, eight bytes per step. Inline: it runs for every ID and
/// state key lookup, mostly on strings of 10–40 bytes.
inline std::uint64_t hash_string(std::string_view text) noexcept {
  using detail::load8;
  using detail::mix;
  std::uint64_t h = text.size() * detail::hash_mul;
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

/// `a == b` without a call into libc: IDs and state keys are short, and most comparisons
/// confirm a hash match, so an inline word compare beats memcmp's call overhead.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  std::size_t n = a.size();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    if (detail::load8(a.data() + i) != detail::load8(b.data() + i)) {
      return false;
    }
  }
  return detail::load8(a.data() + n - 8) == detail::load8(b.data() + n - 8);
}

/// `same_text` for both halves of a (type, state_key) pair.
inline bool same_key(std::pair<std::string_view, std::string_view> a,
                     std::pair<std::string_view, std::string_view> b) noexcept {
  return same_text(a.second, b.second) && same_text(a.first, b.first);
}

/// The hash of a (type, state_key) pair.
inline std::uint64_t hash_key(std::pair<std::string_view, std::string_view> key) noexcept {
  std::uint64_t h = hash_string(key.first);
  return h ^ (hash_string(key.second) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
}

/// Hash → small integer, for keys the caller stores elsewhere (graph nodes, state entries):
/// a bucket is just 32 bits of hash and the value, and lookups ask the caller whether the
/// value's key is the one sought. Callers hash once per lookup-then-insert.
class FlatIndex {
 public:
  /// Buckets come from `memory`, which must outlive the index.
  explicit FlatIndex(std::pmr::memory_resource* memory) : buckets_(memory) {}

  /// The first stored value with this hash for which `matches(value)` holds, if any.
  template <typename Matches>
  std::optional<std::uint32_t> find(std::uint64_t hash, Matches&& matches) const {
    if (buckets_.empty()) {
      return std::nullopt;
    }
    const auto h = static_cast<std::uint32_t>(hash);
    const std::size_t mask = buckets_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Bucket& b = buckets_[i];
      if (b.value == empty) {
        return std::nullopt;
      }
      if (b.hash == h && matches(b.value)) {
        return b.value;
      }
    }
  }

  /// Stores `value` (not the maximum uint32) under `hash`.
  void insert(std::uint64_t hash, std::uint32_t value) {
    // At most half full, so probe sequences stay short.
    if ((count_ + 1) * 2 > buckets_.size()) {
      rehash(std::max<std::size_t>(16, buckets_.size() * 2));
    }
    place(Bucket{static_cast<std::uint32_t>(hash), value});
    ++count_;
  }

  /// Makes room for `count` entries without rehashing.
  void reserve(std::size_t count) {
    std::size_t wanted = std::bit_ceil(std::max<std::size_t>(16, count * 2));
    if (wanted > buckets_.size()) {
      rehash(wanted);
    }
  }

 private:
  static constexpr std::uint32_t empty = 0xFFFFFFFF;
  struct Bucket {
    std::uint32_t hash = 0;
    std::uint32_t value = empty;
  };

  void place(const Bucket& bucket) {
    const std::size_t mask = buckets_.size() - 1;
    std::size_t i = bucket.hash & mask;
    while (buckets_[i].value != empty) {
      i = (i + 1) & mask;
    }
    buckets_[i] = bucket;
  }

  void rehash(std::size_t buckets) {
    std::pmr::vector<Bucket> old(buckets, Bucket{}, buckets_.get_allocator());
    old.swap(buckets_);
    for (const Bucket& b : old) {
      if (b.value != empty) {
        place(b);
      }
    }
  }

  std::pmr::vector<Bucket> buckets_;
  std::size_t count_ = 0;
};

}  // namespace ranvier::state_res
