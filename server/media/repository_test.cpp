// The repository over a real SQLite database and a temporary media folder.

#include "media/repository.hpp"

#include "media/test_images.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace ranvier::media {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("ranvier-media-repo-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_);
    config_.path = folder_ / "media";
    config_.max_upload_size = 1000;
    config_.max_pending_uploads = 2;
    database_ = storage::open_database("sqlite://" + (folder_ / "db.sqlite").string());
    repo_ = std::make_unique<MediaRepository>(config_, "example.org", *database_);
  }
  void TearDown() override {
    repo_.reset();
    database_.reset();
    std::filesystem::remove_all(folder_);
  }
  std::size_t files() const {
    std::size_t n = 0;
    if (std::filesystem::exists(config_.path)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(config_.path)) {
        n += entry.is_regular_file() ? 1 : 0;
      }
    }
    return n;
  }

  std::filesystem::path folder_;
  config::Media config_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<MediaRepository> repo_;
};

TEST_F(RepositoryTest, UploadsAreStoredOnceAndReadBack) {
  auto a = repo_->upload("@a:example.org", "text/plain", std::string("a.txt"), "hello", t0);
  auto b = repo_->upload("@b:example.org", "text/plain", std::nullopt, "hello", t0);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(files(), 1U);  // same bytes, one file
  auto loaded = repo_->load("example.org", *a, t0);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->bytes, "hello");
  EXPECT_EQ(loaded->record.upload_name, "a.txt");
  EXPECT_TRUE(loaded->record.authenticated_only);
  EXPECT_EQ(repo_->load("example.org", "missing", t0).error(), MediaError::not_found);
  EXPECT_EQ(repo_->upload("@a:example.org", "x", std::nullopt, std::string(1001, 'x'), t0).error(),
            MediaError::too_large);
}

TEST_F(RepositoryTest, CreatedMediaIsUploadedOnceByItsCreatorBeforeItExpires) {
  auto created = repo_->create("@a:example.org", t0);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->unused_expires_at, t0 + static_cast<std::int64_t>(config_.unused_expiry_ms));
  const auto& id = created->media_id;
  EXPECT_EQ(repo_->load("example.org", id, t0).error(), MediaError::not_yet_uploaded);
  EXPECT_EQ(repo_->upload_to(id, "@b:example.org", "text/plain", std::nullopt, "b", t0).error(),
            MediaError::forbidden);
  EXPECT_EQ(files(), 0U);
  bool woken = false;
  auto unregister = repo_->on_uploaded("example.org", id, repo_->upload_generation(), [&] { woken = true; });
  EXPECT_TRUE(repo_->upload_to(id, "@a:example.org", "text/plain", std::nullopt, "a", t0));
  EXPECT_TRUE(woken);
  unregister();
  EXPECT_EQ(repo_->upload_to(id, "@a:example.org", "text/plain", std::nullopt, "again", t0).error(),
            MediaError::cannot_overwrite);
  EXPECT_EQ(files(), 1U);  // the refused upload's file was removed again
  EXPECT_EQ(repo_->load("example.org", id, t0)->bytes, "a");

  auto late = repo_->create("@a:example.org", t0);
  ASSERT_TRUE(late);
  const auto expired = t0 + static_cast<std::int64_t>(config_.unused_expiry_ms) + 1;
  EXPECT_EQ(repo_->upload_to(late->media_id, "@a:example.org", "x", std::nullopt, "x", expired).error(),
            MediaError::not_found);
  EXPECT_EQ(repo_->load("example.org", late->media_id, expired).error(), MediaError::not_found);
}

TEST_F(RepositoryTest, AWaiterRegisteredAfterAnUploadIsWokenAtOnce) {
  auto created = repo_->create("@a:example.org", t0);
  ASSERT_TRUE(created);
  const auto before = repo_->upload_generation();
  ASSERT_TRUE(repo_->upload_to(created->media_id, "@a:example.org", "text/plain", std::nullopt, "x", t0));
  int woken = 0;
  auto unregister = repo_->on_uploaded("example.org", created->media_id, before, [&] { ++woken; });
  EXPECT_EQ(woken, 1);
  unregister();
  auto quiet = repo_->on_uploaded("example.org", "other", repo_->upload_generation(), [&] { ++woken; });
  quiet();
  EXPECT_EQ(woken, 1);
}

TEST_F(RepositoryTest, PendingUploadsAreLimited) {
  EXPECT_TRUE(repo_->create("@a:example.org", t0));
  EXPECT_TRUE(repo_->create("@a:example.org", t0));
  EXPECT_EQ(repo_->create("@a:example.org", t0).error(), MediaError::limit_exceeded);
  EXPECT_TRUE(repo_->create("@b:example.org", t0));
}

TEST_F(RepositoryTest, RemoteCopiesAreCachedOnce) {
  auto first = repo_->cache_remote("other.org", "abc", "image/png", std::string("x.png"), "one", t0);
  auto second = repo_->cache_remote("other.org", "abc", "image/png", std::nullopt, "two", t0 + 1);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->created_ts, t0);  // the first copy stays
  EXPECT_EQ(repo_->load("other.org", "abc", t0)->bytes, "one");
  EXPECT_EQ(files(), 1U);  // the loser's file is gone
  EXPECT_FALSE(first->user_id);
}

TEST_F(RepositoryTest, ThumbnailsAreCachedAndSmallImagesServedWhole) {
  config_.max_upload_size = 1 << 20;
  const auto png = test::make_png(100, 50);
  auto id = repo_->upload("@a:example.org", "image/png", std::nullopt, png, t0);
  ASSERT_TRUE(id);
  auto stored = repo_->load("example.org", *id, t0);
  ASSERT_TRUE(stored);
  const ThumbnailSpec spec{.width = 32, .height = 32, .method = ThumbnailMethod::crop};
  auto thumb = repo_->thumbnail(*stored, spec, t0);
  ASSERT_TRUE(thumb);
  EXPECT_EQ(thumb->content_type, "image/png");
  EXPECT_EQ(files(), 2U);
  EXPECT_TRUE(database_->read([&](storage::ReadTx& tx) { return tx.media().thumbnail("example.org", *id, 32, 32, "crop"); }));
  EXPECT_EQ(repo_->thumbnail(*stored, spec, t0)->bytes, thumb->bytes);
  EXPECT_EQ(files(), 2U);
  auto whole = repo_->thumbnail(*stored, {.width = 200, .height = 200}, t0);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->bytes, png);
  config_.max_thumbnail_pixels = 100;
  EXPECT_EQ(repo_->thumbnail(*stored, {.width = 10, .height = 10}, t0).error(), ThumbnailError::too_large);
}

}  // namespace
}  // namespace ranvier::media
