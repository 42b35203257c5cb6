#include "core/state_res/id_index.hpp"

#include <bit>
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

std::uint64_t IdIndex::hash(std::string_view id) noexcept {
  std::uint64_t h = id.size() * mul;
  const char* p = id.data();
  std::size_t n = id.size();
  if (n >= 8) {
    for (; n > 8; n -= 8, p += 8) {
      h = mix(h, load8(p));
    }
    // The last word overlaps the previous one instead of reading a ragged tail.
    h = mix(h, load8(id.data() + id.size() - 8));
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

std::optional<std::uint32_t> IdIndex::find(std::string_view id, std::uint64_t hash) const noexcept {
  if (buckets_.empty()) {
    return std::nullopt;
  }
  const std::size_t mask = buckets_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Bucket& b = buckets_[i];
    if (b.data == nullptr) {
      return std::nullopt;
    }
    if (b.hash == hash && b.size == id.size() && std::memcmp(b.data, id.data(), id.size()) == 0) {
      return b.value;
    }
  }
}

void IdIndex::insert(std::string_view id, std::uint64_t hash, std::uint32_t value) {
  // At most half full, so probe sequences stay short.
  if ((count_ + 1) * 2 > buckets_.size()) {
    grow(std::max<std::size_t>(16, buckets_.size() * 2));
  }
  const std::size_t mask = buckets_.size() - 1;
  std::size_t i = hash & mask;
  while (buckets_[i].data != nullptr) {
    i = (i + 1) & mask;
  }
  // An empty ID still needs a non-null pointer: null marks a free bucket.
  buckets_[i] = {id.data() != nullptr ? id.data() : "", static_cast<std::uint32_t>(id.size()), value, hash};
  ++count_;
}

void IdIndex::reserve(std::size_t count) {
  std::size_t wanted = std::bit_ceil(std::max<std::size_t>(16, count * 2));
  if (wanted > buckets_.size()) {
    grow(wanted);
  }
}

void IdIndex::grow(std::size_t buckets) {
  std::pmr::vector<Bucket> old(buckets, Bucket{}, buckets_.get_allocator());
  old.swap(buckets_);
  const std::size_t mask = buckets - 1;
  for (const Bucket& b : old) {
    if (b.data != nullptr) {
      std::size_t i = b.hash & mask;
      while (buckets_[i].data != nullptr) {
        i = (i + 1) & mask;
      }
      buckets_[i] = b;
    }
  }
}

}  // namespace ranvier::state_res
