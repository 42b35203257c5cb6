// Replays the push-rules fuzzer's seed corpus and every crash repro through its entry function.

#include "push/fuzz_entry.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace ranvier::push::testing {
namespace {

namespace fs = std::filesystem;

std::size_t replay(const fs::path& dir) {
  std::size_t count = 0;
  if (!fs::is_directory(dir)) {
    return 0;
  }
  for (const auto& file : fs::directory_iterator(dir)) {
    std::ifstream in(file.path(), std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
    SCOPED_TRACE(file.path().string());
    fuzz_push_rules(bytes);
    ++count;
  }
  return count;
}

TEST(PushFuzzReplay, CorpusAndRepros) {
  const fs::path fuzz_dir = fs::path(RANVIER_SOURCE_DIR) / "fuzz";
  EXPECT_GT(replay(fuzz_dir / "corpus" / "push_rules"), 0U);
  replay(fuzz_dir / "repros" / "push_rules");
}

}  // namespace
}  // namespace ranvier::push::testing
