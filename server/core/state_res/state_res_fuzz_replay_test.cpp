// Replays the fuzzers' seed corpora and every crash repro through the fuzz entry functions,
// so a fixed crash stays fixed in the ordinary test run.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "core/state_res/testing/fuzz_entries.hpp"

namespace ranvier::state_res::testing {
namespace {

namespace fs = std::filesystem;

std::size_t replay(const std::string& dir, void (*entry)(std::span<const std::uint8_t>)) {
  std::size_t count = 0;
  if (!fs::is_directory(dir)) {
    return 0;
  }
  for (const auto& file : fs::directory_iterator(dir)) {
    std::ifstream in(file.path(), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(file.path().string());
    entry(bytes);
    ++count;
  }
  return count;
}

const std::string fuzz_dir = std::string(RANVIER_SOURCE_DIR) + "/fuzz/";

TEST(state_res_fuzz_replay, state_res_event_auth_corpus_and_repros) {
  EXPECT_GT(replay(fuzz_dir + "corpus/event_auth", fuzz_event_auth), 0u);
  replay(fuzz_dir + "repros/event_auth", fuzz_event_auth);
}

TEST(state_res_fuzz_replay, state_res_corpus_and_repros) {
  EXPECT_GT(replay(fuzz_dir + "corpus/state_res", fuzz_state_res), 0u);
  replay(fuzz_dir + "repros/state_res", fuzz_state_res);
}

}  // namespace
}  // namespace ranvier::state_res::testing
