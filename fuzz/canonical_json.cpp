// Fuzz target: strict JSON parsing under both number policies, and the canonical encoder.
// Invariants: the parser never throws or crashes; canonical output re-parses to the same value
// and re-encodes to the same bytes (idempotence); anything accepted is also accepted by
// nlohmann's own parser with the same value (differential check; ours is the stricter one).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/canonical_json.hpp"
#include "fuzz_assert.hpp"

using ranvier::core::NumberPolicy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto policy : {NumberPolicy::canonical, NumberPolicy::lenient}) {
    const auto parsed = ranvier::core::parse_json_strict(text, policy);
    if (!parsed) {
      FUZZ_ASSERT(parsed.error().offset <= size);
      continue;
    }
    const std::string canon = ranvier::core::canonical_json(*parsed);
    FUZZ_ASSERT(!ranvier::core::check_canonical(*parsed, policy));
    const auto again = ranvier::core::parse_json_strict(canon, policy);
    FUZZ_ASSERT(again.has_value());
    FUZZ_ASSERT(ranvier::core::canonical_json(*again) == canon);
    if (policy == NumberPolicy::canonical) {
      FUZZ_ASSERT(*again == *parsed);
      const auto reference = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      FUZZ_ASSERT(!reference.is_discarded());
      FUZZ_ASSERT(reference == *parsed);
    }
  }
  return 0;
}
