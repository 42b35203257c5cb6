// E2eKeyStore and KeyBackupStore on every backend: device, one-time, fallback and
// cross-signing keys, signatures, the device-list stream, and key backup versions and keys.

#include "storage/storage_test_fixture.hpp"

#include <algorithm>
#include <set>

namespace ranvier::storage::test {
namespace {

void alice_with_devices(WriteTx& tx) {
  tx.accounts().create(user("@alice:test"));
  tx.devices().create(device("@alice:test", "PHONE"));
  tx.devices().create(device("@alice:test", "LAPTOP"));
}

DeviceKey curve(std::string key_id, std::string value) {
  return DeviceKey{.algorithm = "signed_curve25519", .key_id = std::move(key_id), .key_json = std::move(value)};
}

TEST_P(StorageTest, DeviceKeysAreStoredReplacedAndDeletedWithTheDevice) {
  auto db = open();
  db->write([](WriteTx& tx) {
    alice_with_devices(tx);
    tx.e2e_keys().set_device_keys("@alice:test", "PHONE", R"({"v":1})");
    tx.e2e_keys().set_device_keys("@alice:test", "PHONE", R"({"v":2})");
    tx.e2e_keys().set_device_keys("@alice:test", "LAPTOP", R"({"v":3})");
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.e2e_keys().device_keys("@alice:test", "PHONE"); }), R"({"v":2})");
  const std::vector<std::string> users{"@alice:test", "@nobody:test"};
  auto all = db->read([&](ReadTx& tx) { return tx.e2e_keys().device_keys_of(users); });
  EXPECT_EQ(all, (std::vector<DeviceKeys>{{"@alice:test", "LAPTOP", R"({"v":3})", "phone"},
                                          {"@alice:test", "PHONE", R"({"v":2})", "phone"}}));
  const auto before = db->read([](ReadTx& tx) { return tx.e2e_keys().device_list_max_stream(); });
  db->write([](WriteTx& tx) {
    tx.e2e_keys().add_one_time_key("@alice:test", "PHONE", curve("AAA", "\"k\""));
    tx.e2e_keys().set_fallback_key("@alice:test", "PHONE", curve("FB", "\"f\""));
    EXPECT_TRUE(tx.devices().remove("@alice:test", "PHONE"));
  });
  db->read([&](ReadTx& tx) {
    EXPECT_FALSE(tx.e2e_keys().device_keys("@alice:test", "PHONE"));
    EXPECT_TRUE(tx.e2e_keys().one_time_key_counts("@alice:test", "PHONE").empty());
    EXPECT_FALSE(tx.e2e_keys().fallback_key("@alice:test", "PHONE", "signed_curve25519"));
    // Deleting a device is a device-list change.
    EXPECT_GT(tx.e2e_keys().device_list_max_stream(), before);
    EXPECT_EQ(tx.e2e_keys().device_list_changes(before, tx.e2e_keys().device_list_max_stream()),
              std::vector<std::string>{"@alice:test"});
  });
  try {
    db->write([](WriteTx& tx) { tx.e2e_keys().set_device_keys("@alice:test", "GONE", "{}"); });
    FAIL() << "stored keys of a device that does not exist";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::constraint);
  }
}

TEST_P(StorageTest, OneTimeKeysAreClaimedOnceEach) {
  auto db = open();
  db->write([](WriteTx& tx) {
    alice_with_devices(tx);
    auto& keys = tx.e2e_keys();
    EXPECT_EQ(keys.add_one_time_key("@alice:test", "PHONE", curve("A", "\"a\"")), CreateResult::created);
    EXPECT_EQ(keys.add_one_time_key("@alice:test", "PHONE", curve("B", "\"b\"")), CreateResult::created);
    EXPECT_EQ(keys.add_one_time_key("@alice:test", "PHONE", curve("A", "\"other\"")), CreateResult::exists);
    EXPECT_EQ(keys.add_one_time_key("@alice:test", "PHONE",
                                    DeviceKey{.algorithm = "curve25519", .key_id = "C", .key_json = "\"c\""}),
              CreateResult::created);
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.e2e_keys().one_time_key("@alice:test", "PHONE", "signed_curve25519", "A"), "\"a\"");
    EXPECT_EQ(tx.e2e_keys().one_time_key_counts("@alice:test", "PHONE"),
              (std::map<std::string, std::int64_t>{{"curve25519", 1}, {"signed_curve25519", 2}}));
  });
  std::set<std::string> claimed;
  for (int i = 0; i < 2; ++i) {
    auto key = db->write([](WriteTx& tx) {
      return tx.e2e_keys().claim_one_time_key("@alice:test", "PHONE", "signed_curve25519");
    });
    ASSERT_TRUE(key);
    EXPECT_EQ(key->algorithm, "signed_curve25519");
    claimed.insert(key->key_id);
  }
  EXPECT_EQ(claimed, (std::set<std::string>{"A", "B"}));
  db->write([](WriteTx& tx) {
    EXPECT_FALSE(tx.e2e_keys().claim_one_time_key("@alice:test", "PHONE", "signed_curve25519"));
    EXPECT_FALSE(tx.e2e_keys().claim_one_time_key("@alice:test", "LAPTOP", "curve25519"));
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.e2e_keys().one_time_key_counts("@alice:test", "PHONE"); }),
            (std::map<std::string, std::int64_t>{{"curve25519", 1}}));
}

TEST_P(StorageTest, FallbackKeysStayAfterAClaimUntilReplaced) {
  auto db = open();
  db->write([](WriteTx& tx) {
    alice_with_devices(tx);
    tx.e2e_keys().set_fallback_key("@alice:test", "PHONE", curve("F1", "\"one\""));
  });
  auto unused = [&] {
    return db->read([](ReadTx& tx) { return tx.e2e_keys().unused_fallback_algorithms("@alice:test", "PHONE"); });
  };
  EXPECT_EQ(unused(), std::vector<std::string>{"signed_curve25519"});
  for (int i = 0; i < 2; ++i) {
    auto key = db->write([](WriteTx& tx) {
      return tx.e2e_keys().claim_fallback_key("@alice:test", "PHONE", "signed_curve25519");
    });
    EXPECT_EQ(key, curve("F1", "\"one\""));
  }
  EXPECT_TRUE(unused().empty());
  db->write([](WriteTx& tx) { tx.e2e_keys().set_fallback_key("@alice:test", "PHONE", curve("F2", "\"two\"")); });
  EXPECT_EQ(unused(), std::vector<std::string>{"signed_curve25519"});
  EXPECT_EQ(db->read([](ReadTx& tx) {
              return tx.e2e_keys().fallback_key("@alice:test", "PHONE", "signed_curve25519");
            }),
            curve("F2", "\"two\""));
  EXPECT_FALSE(db->write([](WriteTx& tx) {
    return tx.e2e_keys().claim_fallback_key("@alice:test", "LAPTOP", "signed_curve25519");
  }));
}

TEST_P(StorageTest, CrossSigningKeysSignaturesAndTheDeviceListStream) {
  auto db = open();
  db->write([](WriteTx& tx) {
    auto& keys = tx.e2e_keys();
    keys.set_cross_signing_key({"@alice:test", "master", R"({"m":1})"});
    keys.set_cross_signing_key({"@alice:test", "master", R"({"m":2})"});
    keys.set_cross_signing_key({"@alice:test", "self_signing", R"({"s":1})"});
    keys.set_cross_signing_key({"@bob:test", "master", R"({"b":1})"});
    keys.put_signature({"@bob:test", "@alice:test", "MASTERKEY", "ed25519:BOBUSK", "sig1"});
    keys.put_signature({"@bob:test", "@alice:test", "MASTERKEY", "ed25519:BOBUSK", "sig2"});
    keys.put_signature({"@alice:test", "@alice:test", "PHONE", "ed25519:SSK", "sig3"});
  });
  const std::vector<std::string> alice{"@alice:test"};
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.e2e_keys().cross_signing_keys(alice),
              (std::vector<CrossSigningKey>{{"@alice:test", "master", R"({"m":2})"},
                                            {"@alice:test", "self_signing", R"({"s":1})"}}));
    EXPECT_EQ(tx.e2e_keys().signatures_of(alice),
              (std::vector<KeySignature>{{"@bob:test", "@alice:test", "MASTERKEY", "ed25519:BOBUSK", "sig2"},
                                         {"@alice:test", "@alice:test", "PHONE", "ed25519:SSK", "sig3"}}));
    EXPECT_EQ(tx.e2e_keys().device_list_max_stream(), 0);
  });
  const auto first = db->write([](WriteTx& tx) { return tx.e2e_keys().mark_device_list_changed("@alice:test"); });
  const auto second = db->write([](WriteTx& tx) { return tx.e2e_keys().mark_device_list_changed("@bob:test"); });
  EXPECT_LT(first, second);
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.e2e_keys().device_list_max_stream(), second);
    EXPECT_EQ(tx.e2e_keys().device_list_changes(0, second), (std::vector<std::string>{"@alice:test", "@bob:test"}));
    EXPECT_EQ(tx.e2e_keys().device_list_changes(first, second), std::vector<std::string>{"@bob:test"});
    EXPECT_EQ(tx.e2e_keys().device_list_changes(0, first), std::vector<std::string>{"@alice:test"});
    EXPECT_EQ(tx.e2e_keys().device_list_position("@alice:test"), first);
    EXPECT_EQ(tx.e2e_keys().device_list_position("@carol:test"), std::nullopt);
  });
  // A user changing again moves to the newest position.
  const auto third = db->write([](WriteTx& tx) { return tx.e2e_keys().mark_device_list_changed("@alice:test"); });
  EXPECT_GT(third, second);
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.e2e_keys().device_list_changes(second, third); }),
            std::vector<std::string>{"@alice:test"});
}

TEST_P(StorageTest, MembershipChangesSeenForDeviceListTracking) {
  auto db = open();
  auto member = [](std::string room, std::string user, Membership membership, std::int64_t stream) {
    return RoomMember{.room_id = std::move(room), .user_id = std::move(user), .membership = membership,
                      .event_id = "$m" + std::to_string(stream), .stream = stream};
  };
  db->write([&](WriteTx& tx) {
    for (const char* room : {"!a:test", "!b:test", "!c:test"}) {
      tx.rooms().create(Room{.room_id = room, .room_version = "12", .created_ts = t0, .creator = "@alice:test"});
    }
    // Alice is in !a from before the window; bob joins and carol leaves inside it.
    tx.rooms().set_membership(member("!a:test", "@alice:test", Membership::join, 1));
    tx.rooms().set_membership(member("!a:test", "@dave:test", Membership::join, 2));
    tx.rooms().set_membership(member("!a:test", "@bob:test", Membership::join, 11));
    tx.rooms().set_membership(member("!a:test", "@carol:test", Membership::leave, 12));
    // Alice joins !b inside the window, where erin was already.
    tx.rooms().set_membership(member("!b:test", "@erin:test", Membership::join, 3));
    tx.rooms().set_membership(member("!b:test", "@alice:test", Membership::join, 13));
    // Alice leaves !c inside the window; frank stays there.
    tx.rooms().set_membership(member("!c:test", "@frank:test", Membership::invite, 4));
    tx.rooms().set_membership(member("!c:test", "@alice:test", Membership::leave, 14));
  });
  auto seen = db->read([](ReadTx& tx) { return tx.e2e_keys().membership_changes_seen_by("@alice:test", 10, 20); });
  std::sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
  EXPECT_EQ(seen, (std::vector<SeenMembershipChange>{
                      {"@bob:test", Membership::join, true, Membership::join, false},
                      {"@carol:test", Membership::leave, true, Membership::join, false},
                      {"@erin:test", Membership::join, false, Membership::join, true},
                      {"@frank:test", Membership::invite, false, Membership::leave, true}}));
  // Nothing moved after stream 20; dave's join before the window is not news.
  EXPECT_TRUE(db->read([](ReadTx& tx) {
                return tx.e2e_keys().membership_changes_seen_by("@alice:test", 20, 30);
              }).empty());
  const std::vector<std::string> candidates{"@bob:test", "@carol:test", "@frank:test", "@erin:test"};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.e2e_keys().users_sharing_a_room("@alice:test", candidates); }),
            (std::vector<std::string>{"@bob:test", "@erin:test"}));
}

TEST_P(StorageTest, KeyBackupVersionsAndKeys) {
  auto db = open();
  const BackedUpRoomKey key{.room_id = "!r:test",
                            .session_id = "S1",
                            .first_message_index = 3,
                            .forwarded_count = 1,
                            .is_verified = true,
                            .session_data = R"({"ciphertext":"x"})"};
  const auto [v1, v2] = db->write([&](WriteTx& tx) {
    auto& backup = tx.key_backup();
    auto first = backup.create_version("@alice:test", "m.megolm_backup.v1.curve25519-aes-sha2", R"({"a":1})");
    auto second = backup.create_version("@alice:test", "m.megolm_backup.v1.curve25519-aes-sha2", R"({"a":2})");
    backup.put_key("@alice:test", second, key);
    backup.put_key("@alice:test", second, BackedUpRoomKey{.room_id = "!r:test", .session_id = "S2",
                                                          .session_data = "{}"});
    backup.put_key("@alice:test", second, BackedUpRoomKey{.room_id = "!q:test", .session_id = "S1",
                                                          .session_data = "{}"});
    backup.bump_etag("@alice:test", second);
    return std::pair{first, second};
  });
  EXPECT_LT(v1, v2);
  db->read([&](ReadTx& tx) {
    auto latest = tx.key_backup().latest_version("@alice:test");
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->version, v2);
    EXPECT_EQ(latest->auth_data, R"({"a":2})");
    EXPECT_EQ(latest->etag, 1);
    EXPECT_EQ(tx.key_backup().count("@alice:test", v2), 3);
    EXPECT_EQ(tx.key_backup().count("@alice:test", v1), 0);
    EXPECT_EQ(tx.key_backup().keys("@alice:test", v2, {}).size(), 3u);
    EXPECT_EQ(tx.key_backup().keys("@alice:test", v2, {.room_id = "!r:test"}).size(), 2u);
    EXPECT_EQ(tx.key_backup().keys("@alice:test", v2, {.room_id = "!r:test", .session_id = "S1"}),
              std::vector<BackedUpRoomKey>{key});
    EXPECT_FALSE(tx.key_backup().latest_version("@bob:test"));
  });
  db->write([&](WriteTx& tx) {
    EXPECT_TRUE(tx.key_backup().update_version("@alice:test", v1, R"({"a":9})"));
    EXPECT_EQ(tx.key_backup().delete_keys("@alice:test", v2, {.room_id = "!r:test", .session_id = "S2"}), 1);
    EXPECT_EQ(tx.key_backup().delete_keys("@alice:test", v2, {.room_id = "!q:test"}), 1);
    EXPECT_TRUE(tx.key_backup().delete_version("@alice:test", v2));
    EXPECT_FALSE(tx.key_backup().delete_version("@alice:test", v2));
    EXPECT_FALSE(tx.key_backup().update_version("@alice:test", v2, "{}"));
  });
  db->read([&](ReadTx& tx) {
    EXPECT_FALSE(tx.key_backup().version("@alice:test", v2));
    EXPECT_EQ(tx.key_backup().count("@alice:test", v2), 0);
    EXPECT_EQ(tx.key_backup().latest_version("@alice:test")->auth_data, R"({"a":9})");
  });
  // A deleted version's number is not given out again.
  EXPECT_GT(db->write([](WriteTx& tx) { return tx.key_backup().create_version("@alice:test", "alg", "{}"); }), v2);
}

}  // namespace
}  // namespace ranvier::storage::test
