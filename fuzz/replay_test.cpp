// Replays a fuzz target's committed inputs (seed corpus and crash repros) through the same
// LLVMFuzzerTestOneInput as the fuzzer, in the ordinary test build. FUZZ_TARGET names the target.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int replay_dir(const std::filesystem::path& dir) {
  int count = 0;
  if (!std::filesystem::is_directory(dir)) {
    return count;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size()),
              0);
    ++count;
  }
  return count;
}

const std::filesystem::path fuzz_dir = std::filesystem::path(RANVIER_SOURCE_DIR) / "fuzz";

TEST(FuzzReplay, Repros) { replay_dir(fuzz_dir / "repros" / FUZZ_TARGET); }

TEST(FuzzReplay, SeedCorpus) { EXPECT_GT(replay_dir(fuzz_dir / "corpus" / FUZZ_TARGET), 0); }

}  // namespace
