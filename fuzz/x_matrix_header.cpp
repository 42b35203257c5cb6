// Fuzz target: the X-Matrix Authorization header parser. Invariants: no crash; a parsed header
// formatted again parses to the same parameters.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "federation/x_matrix.hpp"
#include "fuzz_assert.hpp"

namespace federation = ranvier::federation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  const auto auth = federation::parse_x_matrix(s);
  if (auth) {
    FUZZ_ASSERT(!auth->origin.empty() && !auth->key.empty() && !auth->sig.empty());
    const auto again = federation::parse_x_matrix(federation::format_x_matrix(*auth));
    FUZZ_ASSERT(again && *again == *auth);
  } else {
    FUZZ_ASSERT(!federation::to_string(auth.error()).empty());
  }
  return 0;
}
