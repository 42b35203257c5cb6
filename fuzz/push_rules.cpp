// libFuzzer target: fuzzed push rules (stored ruleset and a PUT) evaluated against a fuzzed event.
// The body lives in server/push/fuzz_entry.cpp so unit tests replay the corpus and repros.

#include <cstddef>
#include <cstdint>

#include "push/fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ranvier::push::testing::fuzz_push_rules({data, size});
  return 0;
}
