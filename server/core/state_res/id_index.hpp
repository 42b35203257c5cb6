#pragma once
// An open-addressing table from event IDs to node indices. Resolution looks IDs up far more
// often than it adds them (every auth edge and state entry is a lookup), so a flat table with a
// word-at-a-time hash beats std::unordered_map, which allocates per entry and hashes bytewise.

#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string_view>
#include <vector>

namespace ranvier::state_res {

/// Event ID → index, for IDs that outlive the table.
class IdIndex {
 public:
  /// Buckets come from `memory`, which must outlive the index.
  explicit IdIndex(std::pmr::memory_resource* memory) : buckets_(memory) {}

  /// A hash of `id`: pass it to find and insert so a miss followed by an insert hashes once.
  static std::uint64_t hash(std::string_view id) noexcept;

  /// The index stored for `id`, if any.
  std::optional<std::uint32_t> find(std::string_view id, std::uint64_t hash) const noexcept;
  /// Stores `value` for `id`, which must not be present yet.
  void insert(std::string_view id, std::uint64_t hash, std::uint32_t value);
  /// Makes room for `count` entries without rehashing.
  void reserve(std::size_t count);

 private:
  struct Bucket {
    const char* data = nullptr;
    std::uint32_t size = 0;
    std::uint32_t value = 0;
    std::uint64_t hash = 0;
  };
  void grow(std::size_t buckets);

  std::pmr::vector<Bucket> buckets_;
  std::size_t count_ = 0;
};

}  // namespace ranvier::state_res
