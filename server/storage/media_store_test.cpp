// The media store, on both engines.

#include "storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

MediaRecord pending(std::string media_id, std::string user, std::int64_t expires) {
  return MediaRecord{.origin = "example.org",
                     .media_id = std::move(media_id),
                     .user_id = std::move(user),
                     .content_type = std::nullopt,
                     .upload_name = std::nullopt,
                     .size = std::nullopt,
                     .sha256 = std::nullopt,
                     .created_ts = t0,
                     .unused_expires_ts = expires,
                     .quarantined = false,
                     .authenticated_only = true};
}

const std::string sha_a(64, 'a');

TEST_P(StorageTest, MediaRowsAreAddedOnceAndCompletedOnce) {
  auto database = open();
  const auto created = pending("abc", "@alice:example.org", t0 + 1000);
  EXPECT_TRUE(database->write([&](WriteTx& tx) { return tx.media().add(created); }));
  EXPECT_FALSE(database->write([&](WriteTx& tx) { return tx.media().add(created); }));
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.media().get("example.org", "abc"); }), created);
  EXPECT_FALSE(database->read([](ReadTx& tx) { return tx.media().get("other.org", "abc"); }));

  auto uploaded = created;
  uploaded.content_type = "image/png";
  uploaded.upload_name = "cat.png";
  uploaded.size = 5;
  uploaded.sha256 = sha_a;
  uploaded.authenticated_only = false;
  EXPECT_TRUE(database->write([&](WriteTx& tx) { return tx.media().complete_upload(uploaded); }));
  EXPECT_FALSE(database->write([&](WriteTx& tx) { return tx.media().complete_upload(uploaded); }));
  auto stored = database->read([](ReadTx& tx) { return tx.media().get("example.org", "abc"); });
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->uploaded());
  EXPECT_EQ(stored->sha256, sha_a);
  EXPECT_EQ(stored->upload_name, "cat.png");
  EXPECT_FALSE(stored->authenticated_only);
  EXPECT_FALSE(stored->unused_expires_ts);
}

TEST_P(StorageTest, MediaPendingUploadsCountOnlyUnexpiredOnes) {
  auto database = open();
  database->write([&](WriteTx& tx) {
    tx.media().add(pending("one", "@alice:example.org", t0 + 1000));
    tx.media().add(pending("two", "@alice:example.org", t0 + 10));
    tx.media().add(pending("three", "@bob:example.org", t0 + 1000));
  });
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.media().pending_uploads("@alice:example.org", t0 + 5); }), 2);
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.media().pending_uploads("@alice:example.org", t0 + 50); }), 1);
}

TEST_P(StorageTest, MediaThumbnailsAndFileUse) {
  auto database = open();
  const MediaThumbnailRecord thumb{"example.org", "abc", 32, 32, "crop", "image/png", 10, sha_a, t0};
  EXPECT_FALSE(database->read([](ReadTx& tx) { return tx.media().file_in_use(std::string(64, 'a')); }));
  database->write([&](WriteTx& tx) {
    tx.media().put_thumbnail(thumb);
    tx.media().put_thumbnail(thumb);
  });
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.media().thumbnail("example.org", "abc", 32, 32, "crop"); }),
            thumb);
  EXPECT_FALSE(database->read([](ReadTx& tx) { return tx.media().thumbnail("example.org", "abc", 32, 32, "scale"); }));
  EXPECT_TRUE(database->read([](ReadTx& tx) { return tx.media().file_in_use(std::string(64, 'a')); }));
}

}  // namespace
}  // namespace ranvier::storage::test
