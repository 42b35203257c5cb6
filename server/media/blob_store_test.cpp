#include "media/blob_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace ranvier::media {
namespace {

TEST(BlobStore, StoresByContentAndReadsBack) {
  const auto root = std::filesystem::temp_directory_path() / ("ranvier-blob-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  BlobStore store(root);
  const std::string bytes("hello\0world", 11);
  const auto sha = store.put(bytes);
  EXPECT_EQ(sha, "b206899bc103669c8e7b36de29d73f95b46795b508aa87d612b2ce84bfb29df2");
  EXPECT_TRUE(is_sha256_hex(sha));
  EXPECT_EQ(store.put(bytes), sha);
  EXPECT_EQ(store.get(sha), bytes);
  EXPECT_TRUE(std::filesystem::exists(store.path_of(sha)));
  EXPECT_EQ(store.path_of(sha).parent_path().parent_path().parent_path(), root);
  // Nothing temporary is left beside the file.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    files += entry.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(files, 1U);
  store.remove(sha);
  EXPECT_FALSE(store.get(sha));
  store.remove(sha);
  EXPECT_THROW((void)store.path_of("../../etc/passwd"), std::invalid_argument);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace ranvier::media
