#include "storage/sqlite/checkpointer.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <thread>

namespace ranvier::storage::sqlite {
namespace {

namespace fs = std::filesystem;

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ranvier_checkpoint_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x BLOB)");
  }
  void TearDown() override {
    sqlite3_close(db_);
    fs::remove_all(dir_);
  }
  void exec(const std::string& sql) { ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK); }
  /// One commit of about `pages` new WAL pages.
  void write_pages(int pages) { exec("INSERT INTO t VALUES (zeroblob(" + std::to_string(pages * 4096) + "))"); }
  /// Waits (bounded) for the background thread; the bound only stops a broken run hanging.
  static bool eventually(const Checkpointer& checkpointer, std::int64_t count) {
    for (int i = 0; i < 1000 && checkpointer.checkpoints() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return checkpointer.checkpoints() >= count;
  }

  fs::path dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

TEST_F(CheckpointerTest, ASmallWalIsLeftAloneAndNothingIsCheckpointedOnTheCommit) {
  Checkpointer checkpointer(path_, {.passive_pages = 1'000});
  checkpointer.watch(db_);
  write_pages(50);
  EXPECT_EQ(checkpointer.checkpoints(), 0);
  // The hook replaced the automatic checkpoint: nothing of the WAL is in the database yet.
  int log = 0;
  int done = 0;
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done), SQLITE_OK);
  EXPECT_GT(log, 0);
}

TEST_F(CheckpointerTest, AWalPastTheThresholdIsCheckpointedInTheBackground) {
  Checkpointer checkpointer(path_, {.passive_pages = 20, .truncate_pages = 1'000'000});
  checkpointer.watch(db_);
  write_pages(40);
  ASSERT_TRUE(eventually(checkpointer, 1));
  // Everything the WAL held is in the database file now, so the next writer starts it over.
  EXPECT_GE(fs::file_size(path_), 40u * 4096u);
}

TEST_F(CheckpointerTest, TheNextCheckpointWaitsForNewFramesWhileReadersKeepTheWalLong) {
  write_pages(40);  // before the hook: SQLite's own threshold is 1,000 pages
  // A reader holding a snapshot of those frames keeps later writers from starting the WAL
  // over, so the WAL only grows from here on.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t", nullptr, nullptr, nullptr), SQLITE_OK);

  Checkpointer checkpointer(path_, {.passive_pages = 20, .truncate_pages = 1'000'000});
  checkpointer.watch(db_);
  write_pages(1);
  ASSERT_TRUE(eventually(checkpointer, 1));
  // A few small commits leave the WAL past the threshold in length but add fewer than 20
  // frames to what was copied: no checkpoint for them.
  write_pages(1);
  write_pages(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(checkpointer.checkpoints(), 1);

  ASSERT_EQ(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(reader);
  write_pages(25);
  EXPECT_TRUE(eventually(checkpointer, 2));
}

TEST_F(CheckpointerTest, AVeryLargeWalIsTruncated) {
  Checkpointer checkpointer(path_, {.passive_pages = 20, .truncate_pages = 30});
  checkpointer.watch(db_);
  write_pages(40);
  ASSERT_TRUE(eventually(checkpointer, 1));
  EXPECT_EQ(fs::file_size(path_ + "-wal"), 0u);
}

}  // namespace
}  // namespace ranvier::storage::sqlite
