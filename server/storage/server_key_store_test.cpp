// Remote server keys and key documents, on both engines.

#include "storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

TEST_P(StorageTest, RemoteServerKeysAreUpsertedByKeyId) {
  auto database = open();
  const RemoteServerKey current{"remote.example", "ed25519:a", "AAAA", t0 + 1000, t0, std::nullopt};
  const RemoteServerKey old{"remote.example", "ed25519:old", "BBBB", t0 + 1000, t0, t0 - 5};
  const RemoteServerKey other{"other.example", "ed25519:a", "CCCC", t0 + 1, t0, std::nullopt};
  database->write([&](WriteTx& tx) {
    tx.server_keys().put_key(old);
    tx.server_keys().put_key(current);
    tx.server_keys().put_key(other);
  });
  auto keys = database->read([](ReadTx& tx) { return tx.server_keys().keys("remote.example"); });
  EXPECT_EQ(keys, (std::vector<RemoteServerKey>{current, old}));

  auto renewed = current;
  renewed.valid_until_ts = t0 + 5000;
  renewed.fetched_ts = t0 + 10;
  database->write([&](WriteTx& tx) { tx.server_keys().put_key(renewed); });
  keys = database->read([](ReadTx& tx) { return tx.server_keys().keys("remote.example"); });
  EXPECT_EQ(keys, (std::vector<RemoteServerKey>{renewed, old}));
  EXPECT_TRUE(database->read([](ReadTx& tx) { return tx.server_keys().keys("nobody.example"); }).empty());
}

TEST_P(StorageTest, RemoteKeyDocumentsKeepTheLatest) {
  auto database = open();
  EXPECT_FALSE(database->read([](ReadTx& tx) { return tx.server_keys().document("remote.example"); }));
  const RemoteKeyDocument first{"remote.example", R"({"server_name":"remote.example"})", t0 + 1, t0};
  const RemoteKeyDocument second{"remote.example", R"({"server_name":"remote.example","x":1})", t0 + 2, t0 + 1};
  database->write([&](WriteTx& tx) { tx.server_keys().put_document(first); });
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.server_keys().document("remote.example"); }), first);
  database->write([&](WriteTx& tx) { tx.server_keys().put_document(second); });
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.server_keys().document("remote.example"); }), second);
}

}  // namespace
}  // namespace ranvier::storage::test
