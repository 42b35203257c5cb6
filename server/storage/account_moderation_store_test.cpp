// Account moderation on every backend: the lock and suspension flags on the account and on what
// a token lookup returns, and the per-device record of the last request (GET /admin/whois).

#include "storage/storage_test_fixture.hpp"
#include "storage/tokens.hpp"

namespace ranvier::storage::test {
namespace {

/// @alice:test with device PHONE and a new access token for it, which it returns.
std::string alice_with_token(Database& db) {
  const std::string token = generate_access_token();
  db.write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test"));
    tx.devices().create(device("@alice:test", "PHONE"));
    tx.tokens().create(NewAccessToken{token, "@alice:test", "PHONE", t0});
  });
  return token;
}

TEST_P(StorageTest, LockAndSuspendAreFlagsThatKeepTokens) {
  auto db = open();
  const std::string token = alice_with_token(*db);
  auto account = db->read([](ReadTx& tx) { return tx.accounts().get("@alice:test"); });
  ASSERT_TRUE(account);
  EXPECT_FALSE(account->locked);
  EXPECT_FALSE(account->suspended);

  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.accounts().set_locked("@alice:test", true));
    EXPECT_TRUE(tx.accounts().set_suspended("@alice:test", true));
    EXPECT_FALSE(tx.accounts().set_locked("@nobody:test", true));
    EXPECT_FALSE(tx.accounts().set_suspended("@nobody:test", true));
  });
  account = db->read([](ReadTx& tx) { return tx.accounts().get("@alice:test"); });
  ASSERT_TRUE(account);
  EXPECT_TRUE(account->locked);
  EXPECT_TRUE(account->suspended);
  const auto listed = db->read([](ReadTx& tx) { return tx.accounts().list("", 10); });
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed.front(), *account);

  auto owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); });
  ASSERT_TRUE(owner) << "a lock keeps the sessions for when it is lifted";
  EXPECT_TRUE(owner->locked);
  EXPECT_TRUE(owner->suspended);

  db->write([](WriteTx& tx) { EXPECT_TRUE(tx.accounts().set_locked("@alice:test", false)); });
  owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); });
  ASSERT_TRUE(owner);
  EXPECT_FALSE(owner->locked);
  EXPECT_TRUE(owner->suspended);
  db->write([](WriteTx& tx) { EXPECT_TRUE(tx.accounts().set_suspended("@alice:test", false)); });
  owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); });
  ASSERT_TRUE(owner);
  EXPECT_FALSE(owner->suspended);
}

TEST_P(StorageTest, DeviceRecordsTheLastRequest) {
  auto db = open();
  const std::string token = alice_with_token(*db);
  db->write([&](WriteTx& tx) {
    // A login records the time and address only: no request is recorded yet.
    EXPECT_TRUE(tx.devices().touch("@alice:test", "PHONE", t0 + 1, std::string("192.0.2.1")));
  });
  auto owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); });
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->request_seen_ts, std::nullopt);
  auto phone = db->read([](ReadTx& tx) { return tx.devices().get("@alice:test", "PHONE"); });
  ASSERT_TRUE(phone);
  EXPECT_EQ(phone->last_seen_user_agent, std::nullopt);

  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.devices().record_request("@alice:test", "PHONE", t0 + 7, "198.51.100.4", "curl/8.0"));
    EXPECT_FALSE(tx.devices().record_request("@alice:test", "NOPE", t0 + 7, "198.51.100.4", ""));
  });
  owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); });
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->request_seen_ts, t0 + 7);
  const auto devices = db->read([](ReadTx& tx) { return tx.devices().list("@alice:test"); });
  ASSERT_EQ(devices.size(), 1U);
  EXPECT_EQ(devices.front().last_seen_ts, t0 + 7);
  EXPECT_EQ(devices.front().last_seen_ip, "198.51.100.4");
  EXPECT_EQ(devices.front().last_seen_user_agent, "curl/8.0");

  // A request without a user agent is recorded as "", still a recorded request.
  db->write([](WriteTx& tx) { tx.devices().record_request("@alice:test", "PHONE", t0 + 9, "198.51.100.5", ""); });
  phone = db->read([](ReadTx& tx) { return tx.devices().get("@alice:test", "PHONE"); });
  ASSERT_TRUE(phone);
  EXPECT_EQ(phone->last_seen_user_agent, "");
  owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); });
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->request_seen_ts, t0 + 9);
}

}  // namespace
}  // namespace ranvier::storage::test
