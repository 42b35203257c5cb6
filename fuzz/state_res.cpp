// libFuzzer target: a fuzz-built room DAG resolved with state resolution v1, v2 and v2.1.
// The body lives in core/state_res/testing/fuzz_entries.cpp so unit tests replay the corpus.

#include <cstddef>
#include <cstdint>

#include "core/state_res/testing/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ranvier::state_res::testing::fuzz_state_res({data, size});
  return 0;
}
