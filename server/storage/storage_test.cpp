// Storage behaviour, written once and run against every backend: SQLite in a temporary
// directory, PostgreSQL in a fresh schema of $RANVIER_TEST_POSTGRES_URL (skipped, visibly,
// when the variable is unset; ci/postgres.sh starts a throw-away server).

#include "storage/storage_test_fixture.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <thread>
#include <vector>

namespace ranvier::storage::test {
namespace {

TEST_P(StorageTest, MigrationsApplyOnceAndReopenKeepsData) {
  const int latest = shipped_migrations().back().version;
  {
    auto db = open();
    EXPECT_EQ(db->backend(), GetParam());
    EXPECT_EQ(db->schema_version(), latest);
    db->write([](WriteTx& tx) { tx.accounts().create(user("@alice:test")); });
  }
  // The scripts are plain CREATE TABLE: running one twice would fail, so a successful
  // reopen shows each ran once.
  const auto start = std::chrono::steady_clock::now();
  auto db = open();
  std::cout
      << "[ figures  ] " << to_string(GetParam()) << ": reopening an up-to-date database took "
      << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
      << " ms\n";
  EXPECT_EQ(db->schema_version(), latest);
  EXPECT_TRUE(db->read([](ReadTx& tx) { return tx.accounts().get("@alice:test").has_value(); }));
}

TEST_P(StorageTest, OlderDatabaseIsUpgradedInPlace) {
  auto all = shipped_migrations();
  ASSERT_GE(all.size(), 2u);
  {
    auto db = open_with(all.first(1));
    EXPECT_EQ(db->schema_version(), 1);
    db->write([](WriteTx& tx) { tx.accounts().create(user("@early:test")); });
  }
  auto db = open();
  EXPECT_EQ(db->schema_version(), all.back().version);
  db->write([](WriteTx& tx) {
    ASSERT_EQ(tx.devices().create(device("@early:test", "DEV")), CreateResult::created);
  });
}

TEST_P(StorageTest, NewerSchemaIsRefused) {
  std::vector<sql::Migration> future(shipped_migrations().begin(), shipped_migrations().end());
  const int next = future.back().version + 1;
  future.push_back({next, "future", "CREATE TABLE from_the_future (x INTEGER);"});
  open_with(future);
  try {
    open();
    FAIL() << "opened a database migrated by a newer ranvier";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::schema_too_new);
    EXPECT_NE(std::string(error.what()).find(std::to_string(next)), std::string::npos)
        << error.what();
  }
}

TEST_P(StorageTest, FailedMigrationKeepsNothing) {
  std::vector<sql::Migration> broken(shipped_migrations().begin(), shipped_migrations().end());
  const int next = broken.back().version + 1;
  broken.push_back({next, "broken", "CREATE TABLE half (x INTEGER); SELECT * FROM missing;"});
  try {
    open_with(broken);
    FAIL() << "a failing migration was accepted";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::migration_failed) << error.what();
    EXPECT_NE(std::string(error.what()).find("_broken"), std::string::npos) << error.what();
  }
  // Everything ran in one transaction: not even the earlier migrations were kept, so the
  // shipped list applies cleanly from scratch.
  auto db = open();
  EXPECT_EQ(db->schema_version(), shipped_migrations().back().version);
}

TEST_P(StorageTest, AccountsLifecycle) {
  auto db = open();
  db->write([](WriteTx& tx) {
    EXPECT_EQ(tx.accounts().create(user("@alice:test", true)), CreateResult::created);
    EXPECT_EQ(tx.accounts().create(user("@bob:test")), CreateResult::created);
    Account guest{.user_id = "@guest1:test", .is_guest = true, .created_ts = t0 + 1};
    EXPECT_EQ(tx.accounts().create(guest), CreateResult::created);
  });
  // Creating an existing user changes nothing.
  Account impostor = user("@alice:test");
  impostor.password_hash = "other";
  EXPECT_EQ(db->write([&](WriteTx& tx) { return tx.accounts().create(impostor); }),
            CreateResult::exists);

  auto alice = db->read([](ReadTx& tx) { return tx.accounts().get("@alice:test"); });
  ASSERT_TRUE(alice);
  EXPECT_EQ(*alice, user("@alice:test", true));
  auto guest = db->read([](ReadTx& tx) { return tx.accounts().get("@guest1:test"); });
  ASSERT_TRUE(guest);
  EXPECT_TRUE(guest->is_guest);
  EXPECT_FALSE(guest->password_hash);
  EXPECT_FALSE(db->read([](ReadTx& tx) { return tx.accounts().get("@nobody:test"); }));

  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.accounts().set_password_hash("@bob:test", std::string("new-hash")));
    EXPECT_TRUE(tx.accounts().set_admin("@bob:test", true));
    EXPECT_TRUE(tx.accounts().set_admin("@alice:test", false));
    EXPECT_FALSE(tx.accounts().set_admin("@nobody:test", true));
    EXPECT_FALSE(tx.accounts().set_password_hash("@nobody:test", std::nullopt));
    EXPECT_TRUE(tx.accounts().deactivate("@guest1:test"));
    EXPECT_FALSE(tx.accounts().deactivate("@nobody:test"));
  });
  auto bob = db->read([](ReadTx& tx) { return tx.accounts().get("@bob:test"); });
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->password_hash, "new-hash");
  EXPECT_TRUE(bob->is_admin);

  AccountCounts counts = db->read([](ReadTx& tx) { return tx.accounts().counts(); });
  EXPECT_EQ(counts.total, 3);
  EXPECT_EQ(counts.admins, 1);
  EXPECT_EQ(counts.guests, 1);
  EXPECT_EQ(counts.deactivated, 1);

  auto first = db->read([](ReadTx& tx) { return tx.accounts().list("", 2); });
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].user_id, "@alice:test");
  EXPECT_EQ(first[1].user_id, "@bob:test");
  EXPECT_EQ(db->read([](ReadTx& tx) {
    return tx.accounts().list("", std::numeric_limits<std::size_t>::max()).size();
  }),
            3u);
  auto rest = db->read([&](ReadTx& tx) { return tx.accounts().list(first.back().user_id, 2); });
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].user_id, "@guest1:test");
  EXPECT_TRUE(rest[0].deactivated);
  EXPECT_FALSE(rest[0].password_hash);
}

// Identifiers order byte by byte on both engines, whatever the database's locale, so paging
// through users gives the same pages everywhere.
TEST_P(StorageTest, UsersAreListedInByteOrder) {
  auto db = open();
  db->write([](WriteTx& tx) {
    for (const char* id : {"@alice:test", "@\xC3\x84rger:test", "@Zed:test", "@_bot:test"}) {
      tx.accounts().create(user(id));
    }
  });
  std::vector<std::string> order;
  std::string after;
  for (;;) {
    auto page = db->read([&](ReadTx& tx) { return tx.accounts().list(after, 1); });
    if (page.empty()) {
      break;
    }
    order.push_back(page.front().user_id);
    after = page.front().user_id;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"@Zed:test", "@_bot:test", "@alice:test",
                                             "@\xC3\x84rger:test"}));
}

TEST_P(StorageTest, StringsSurviveTheRoundTrip) {
  auto db = open();
  // Quotes, non-ASCII and SQL syntax in values must be data, never SQL.
  const std::string odd = "@o'd\"d; DROP TABLE accounts;--\xC3\xA9\xF0\x9F\x98\x80:test";
  db->write([&](WriteTx& tx) { tx.accounts().create(user(odd)); });
  auto found = db->read([&](ReadTx& tx) { return tx.accounts().get(odd); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, odd);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.accounts().counts().total; }), 1);
}

TEST_P(StorageTest, AccountDataAndFilters) {
  auto db = open();
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test", false));
    tx.account_data().put("@alice:test", "", "m.direct", R"({"@bob:test":["!r:test"]})");
    tx.account_data().put("@alice:test", "!r:test", "m.tag", R"({"tags":{}})");
    tx.account_data().put("@alice:test", "", "m.direct", R"({})");
  });
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.account_data().get("@alice:test", "", "m.direct"), "{}");
    EXPECT_EQ(tx.account_data().get("@alice:test", "!r:test", "m.tag"), R"({"tags":{}})");
    EXPECT_EQ(tx.account_data().get("@alice:test", "!r:test", "m.direct"), std::nullopt);
    // The replaced m.direct moved behind m.tag in the stream; only later changes are listed.
    auto all = tx.account_data().changed_since("@alice:test", 0);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].type, "m.tag");
    EXPECT_EQ(all[1].type, "m.direct");
    EXPECT_EQ(all[1].content, "{}");
    EXPECT_LT(all[0].stream, all[1].stream);
    EXPECT_EQ(tx.account_data().max_stream(), all[1].stream);
    EXPECT_EQ(tx.account_data().changed_since("@alice:test", all[0].stream).size(), 1u);
    EXPECT_TRUE(tx.account_data().changed_since("@alice:test", all[1].stream).empty());
    EXPECT_TRUE(tx.account_data().changed_since("@bob:test", 0).empty());
  });
  auto [first, second] = db->write([&](WriteTx& tx) {
    return std::pair{tx.account_data().create_filter("@alice:test", R"({"room":{}})"),
                     tx.account_data().create_filter("@alice:test", R"({"presence":{}})")};
  });
  EXPECT_NE(first, second);
  EXPECT_NE(first.front(), '{');
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.account_data().filter("@alice:test", first), R"({"room":{}})");
    EXPECT_EQ(tx.account_data().filter("@alice:test", second), R"({"presence":{}})");
    EXPECT_EQ(tx.account_data().filter("@bob:test", first), std::nullopt);  // not someone else's
    EXPECT_EQ(tx.account_data().filter("@alice:test", "{x"), std::nullopt);
    EXPECT_EQ(tx.account_data().filter("@alice:test", "99999999999999999999"), std::nullopt);
  });
  EXPECT_THROW(db->write([&](WriteTx& tx) { tx.account_data().put("@nobody:test", "", "t", "{}"); }),
               StorageError);
}

TEST_P(StorageTest, ProfilesAreOneObjectPerUser) {
  auto db = open();
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test", false));
    EXPECT_EQ(tx.profiles().get("@alice:test"), std::nullopt);
    EXPECT_TRUE(tx.accounts().lock("@alice:test"));
    EXPECT_FALSE(tx.accounts().lock("@nobody:test"));
    tx.profiles().put("@alice:test", R"({"displayname":"Alice"})");
    tx.profiles().put("@alice:test", R"({"displayname":"Alice W","m.tz":"Europe/Paris"})");
  });
  auto stored = db->read([&](ReadTx& tx) { return tx.profiles().get("@alice:test"); });
  EXPECT_EQ(stored, R"({"displayname":"Alice W","m.tz":"Europe/Paris"})");
  // Profiles belong to accounts: none for a user that does not exist, and nothing half-written.
  EXPECT_THROW(db->write([&](WriteTx& tx) { tx.profiles().put("@nobody:test", "{}"); }), StorageError);
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.profiles().get("@nobody:test"); }), std::nullopt);
}

TEST_P(StorageTest, DevicesAndTokens) {
  auto db = open();
  const std::string token = generate_access_token();
  const std::string second = generate_access_token();
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test", true));
    EXPECT_EQ(tx.devices().create(device("@alice:test", "PHONE")), CreateResult::created);
    EXPECT_EQ(tx.devices().create(device("@alice:test", "PHONE")), CreateResult::exists);
    EXPECT_EQ(tx.devices().create(device("@alice:test", "LAPTOP")), CreateResult::created);
    EXPECT_EQ(tx.tokens().create({token, "@alice:test", "PHONE", t0, std::nullopt}),
              CreateResult::created);
    EXPECT_EQ(tx.tokens().create({token, "@alice:test", "PHONE", t0, std::nullopt}),
              CreateResult::exists);
    EXPECT_EQ(tx.tokens().create({second, "@alice:test", "LAPTOP", t0, t0 + 1000}),
              CreateResult::created);
  });

  auto owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); });
  ASSERT_TRUE(owner);
  EXPECT_EQ(*owner, (TokenOwner{"@alice:test", "PHONE", false, true, t0, std::nullopt}));
  EXPECT_FALSE(owner->expired_at(t0 + 1'000'000));
  auto expiring = db->read([&](ReadTx& tx) { return tx.tokens().lookup(second); });
  ASSERT_TRUE(expiring);
  EXPECT_FALSE(expiring->expired_at(t0 + 999));
  EXPECT_TRUE(expiring->expired_at(t0 + 1000));
  EXPECT_FALSE(db->read([](ReadTx& tx) { return tx.tokens().lookup("rvt_unknown"); }));

  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.devices().touch("@alice:test", "PHONE", t0 + 5, std::string("192.0.2.1")));
    EXPECT_TRUE(tx.devices().set_display_name("@alice:test", "LAPTOP", std::nullopt));
    EXPECT_FALSE(tx.devices().touch("@alice:test", "NOPE", t0, std::nullopt));
  });
  auto devices = db->read([](ReadTx& tx) { return tx.devices().list("@alice:test"); });
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].device_id, "LAPTOP");
  EXPECT_FALSE(devices[0].display_name);
  EXPECT_EQ(devices[1].device_id, "PHONE");
  EXPECT_EQ(devices[1].last_seen_ts, t0 + 5);
  EXPECT_EQ(devices[1].last_seen_ip, "192.0.2.1");

  // Deleting a device logs its tokens out.
  EXPECT_TRUE(db->write([](WriteTx& tx) { return tx.devices().remove("@alice:test", "LAPTOP"); }));
  EXPECT_FALSE(db->read([&](ReadTx& tx) { return tx.tokens().lookup(second); }));
  EXPECT_TRUE(db->read([&](ReadTx& tx) { return tx.tokens().lookup(token).has_value(); }));

  EXPECT_TRUE(db->write([&](WriteTx& tx) { return tx.tokens().remove(token); }));
  EXPECT_FALSE(db->write([&](WriteTx& tx) { return tx.tokens().remove(token); }));
  EXPECT_FALSE(db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); }));
}

TEST_P(StorageTest, BulkTokenRemovalAndDeactivation) {
  auto db = open();
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    tokens.push_back(generate_access_token());
  }
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test"));
    tx.accounts().create(user("@bob:test"));
    tx.devices().create(device("@alice:test", "A1"));
    tx.devices().create(device("@alice:test", "A2"));
    tx.devices().create(device("@bob:test", "B1"));
    tx.tokens().create({tokens[0], "@alice:test", "A1", t0, std::nullopt});
    tx.tokens().create({tokens[1], "@alice:test", "A1", t0, std::nullopt});
    tx.tokens().create({tokens[2], "@alice:test", "A2", t0, std::nullopt});
    tx.tokens().create({tokens[3], "@bob:test", "B1", t0, std::nullopt});
  });
  EXPECT_EQ(
      db->write([](WriteTx& tx) { return tx.tokens().remove_for_device("@alice:test", "A1"); }), 2);
  EXPECT_EQ(db->write([](WriteTx& tx) { return tx.tokens().remove_for_user("@alice:test"); }), 1);
  EXPECT_TRUE(db->read([&](ReadTx& tx) { return tx.tokens().lookup(tokens[3]).has_value(); }));

  // A deactivated account's tokens stop resolving even before they are deleted.
  db->write([](WriteTx& tx) { tx.accounts().deactivate("@bob:test"); });
  EXPECT_FALSE(db->read([&](ReadTx& tx) { return tx.tokens().lookup(tokens[3]); }));
  EXPECT_EQ(db->write([](WriteTx& tx) { return tx.devices().remove_all("@bob:test"); }), 1);
}

TEST_P(StorageTest, LoginTokensAreSingleUseAndExpire) {
  auto db = open();
  const std::string token = generate_token("rvl_");
  const std::string expiring = generate_token("rvl_");
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test"));
    EXPECT_EQ(tx.tokens().create_login_token({token, "@alice:test", t0, t0 + 1000}), CreateResult::created);
    EXPECT_EQ(tx.tokens().create_login_token({token, "@alice:test", t0, t0 + 1000}), CreateResult::exists);
    EXPECT_EQ(tx.tokens().create_login_token({expiring, "@alice:test", t0, t0 + 10}), CreateResult::created);
  });
  // A login token is no access token.
  EXPECT_FALSE(db->read([&](ReadTx& tx) { return tx.tokens().lookup(token); }));
  auto consume = [&](const std::string& t, std::int64_t now) {
    return db->write([&](WriteTx& tx) { return tx.tokens().consume_login_token(t, now); });
  };
  EXPECT_EQ(consume(token, t0 + 999), "@alice:test");
  EXPECT_EQ(consume(token, t0 + 1), std::nullopt);
  EXPECT_EQ(consume(expiring, t0 + 10), std::nullopt);
  EXPECT_EQ(consume(expiring, t0), std::nullopt);  // consumed by the expired attempt
  EXPECT_EQ(consume("rvl_unknown", t0), std::nullopt);

  // Making a token sweeps the ones expired by then, used or not.
  const std::string stale = generate_token("rvl_");
  const std::string fresh = generate_token("rvl_");
  db->write([&](WriteTx& tx) {
    tx.tokens().create_login_token({stale, "@alice:test", t0, t0 + 10});
    tx.tokens().create_login_token({fresh, "@alice:test", t0 + 20, t0 + 1000});
  });
  EXPECT_EQ(consume(stale, t0), std::nullopt);
  EXPECT_EQ(consume(fresh, t0 + 21), "@alice:test");
}

TEST_P(StorageTest, RefreshTokenExchanges) {
  auto db = open();
  const std::string r1 = generate_token("rvr_");
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test"));
    tx.devices().create(device("@alice:test", "PHONE"));
    EXPECT_EQ(tx.tokens().create_refresh_token({r1, "@alice:test", "PHONE", t0}), CreateResult::created);
    EXPECT_EQ(tx.tokens().create_refresh_token({r1, "@alice:test", "PHONE", t0}), CreateResult::exists);
    tx.tokens().create({"rvt_expired", "@alice:test", "PHONE", t0, t0 + 1});
  });
  auto exchange = [&](const std::string& old, const std::string& refresh, const std::string& access,
                      std::int64_t now = t0 + 1) {
    return db->write([&](WriteTx& tx) {
      return tx.tokens().exchange_refresh_token(old, {refresh, access, now, now + 299});
    });
  };
  auto lookup = [&](const std::string& access) {
    return db->read([&](ReadTx& tx) { return tx.tokens().lookup(access); });
  };
  const RefreshedDevice phone{"@alice:test", "PHONE"};
  // A refresh token is no access token.
  EXPECT_FALSE(lookup(r1));
  EXPECT_EQ(exchange("rvr_unknown", generate_token("rvr_"), generate_access_token()), std::nullopt);

  const std::string r2 = generate_token("rvr_");
  const std::string a2 = generate_access_token();
  EXPECT_EQ(exchange(r1, r2, a2), phone);
  auto owner = lookup(a2);
  ASSERT_TRUE(owner);
  EXPECT_EQ(*owner, (TokenOwner{"@alice:test", "PHONE", false, false, t0 + 1, t0 + 300, true}));

  // The client lost that answer and exchanges r1 again: what the first exchange issued is gone.
  const std::string r2b = generate_token("rvr_");
  const std::string a2b = generate_access_token();
  EXPECT_EQ(exchange(r1, r2b, a2b), phone);
  EXPECT_FALSE(lookup(a2));
  EXPECT_EQ(exchange(r2, generate_token("rvr_"), generate_access_token()), std::nullopt);

  // The first use of the new access token revokes r1, once, and clears expired access tokens.
  EXPECT_TRUE(lookup("rvt_expired"));
  EXPECT_TRUE(db->write([&](WriteTx& tx) { return tx.tokens().retire_replaced_refresh_token(a2b, t0 + 2); }));
  EXPECT_FALSE(lookup("rvt_expired"));
  EXPECT_FALSE(db->write([&](WriteTx& tx) { return tx.tokens().retire_replaced_refresh_token(a2b, t0 + 2); }));
  EXPECT_FALSE(lookup(a2b)->retires_refresh_token);
  EXPECT_EQ(exchange(r1, generate_token("rvr_"), generate_access_token()), std::nullopt);

  // Exchanging the new refresh token revokes the one before it too; old access tokens stay.
  const std::string r3 = generate_token("rvr_");
  const std::string r4 = generate_token("rvr_");
  const std::string a4 = generate_access_token();
  EXPECT_EQ(exchange(r2b, r3, generate_access_token()), phone);
  EXPECT_EQ(exchange(r3, r4, a4), phone);
  EXPECT_EQ(exchange(r2b, generate_token("rvr_"), generate_access_token()), std::nullopt);
  EXPECT_TRUE(lookup(a2b));

  // Revoking a refresh token clears the device's access tokens that have expired by then.
  const std::string r5 = generate_token("rvr_");
  const std::string a5 = generate_access_token();
  EXPECT_EQ(exchange(r4, r5, a5, t0 + 400), phone);  // revokes r3
  EXPECT_FALSE(lookup(a2b));
  EXPECT_FALSE(lookup(a4));
  EXPECT_TRUE(lookup(a5));

  // Deactivation stops refreshes; deleting the device (logout) deletes its refresh tokens.
  db->write([](WriteTx& tx) { tx.accounts().deactivate("@alice:test"); });
  EXPECT_EQ(exchange(r5, generate_token("rvr_"), generate_access_token()), std::nullopt);
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@bob:test"));
    tx.devices().create(device("@bob:test", "D"));
    tx.tokens().create_refresh_token({r1, "@bob:test", "D", t0});
  });
  db->write([](WriteTx& tx) { tx.devices().remove("@bob:test", "D"); });
  db->write([](WriteTx& tx) { tx.devices().create(device("@bob:test", "D")); });
  EXPECT_EQ(exchange(r1, generate_token("rvr_"), generate_access_token()), std::nullopt);
  EXPECT_THROW(db->write([&](WriteTx& tx) {
                 tx.tokens().create_refresh_token({r2, "@bob:test", "NO_SUCH_DEVICE", t0});
               }),
               StorageError);
}

TEST_P(StorageTest, TokenForUnknownDeviceIsAConstraintError) {
  auto db = open();
  db->write([](WriteTx& tx) { tx.accounts().create(user("@alice:test")); });
  try {
    db->write([](WriteTx& tx) {
      tx.tokens().create({"rvt_x", "@alice:test", "NO_SUCH_DEVICE", t0, std::nullopt});
    });
    FAIL() << "token without a device was stored";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::constraint) << error.what();
  }
  try {
    db->write([](WriteTx& tx) { tx.devices().create(device("@ghost:test", "D")); });
    FAIL() << "device without an account was stored";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::constraint) << error.what();
  }
}

TEST_P(StorageTest, ExceptionRollsBackEverything) {
  auto db = open();
  struct Abort {};
  EXPECT_THROW(db->write([](WriteTx& tx) {
    tx.accounts().create(user("@alice:test"));
    tx.devices().create(device("@alice:test", "PHONE"));
    throw Abort{};
  }),
               Abort);
  // A database error half-way also undoes the earlier statements of the transaction.
  EXPECT_THROW(db->write([](WriteTx& tx) {
    tx.accounts().create(user("@bob:test"));
    tx.devices().create(device("@ghost:test", "D"));
  }),
               StorageError);
  db->read([](ReadTx& tx) {
    EXPECT_FALSE(tx.accounts().get("@alice:test"));
    EXPECT_FALSE(tx.accounts().get("@bob:test"));
    EXPECT_TRUE(tx.devices().list("@alice:test").empty());
    EXPECT_EQ(tx.accounts().counts().total, 0);
  });
  DatabaseStats stats = db->stats();
  EXPECT_GE(stats.rollbacks_total, 2u);
  // The database stays usable after the rollbacks.
  EXPECT_EQ(db->write([](WriteTx& tx) { return tx.accounts().create(user("@alice:test")); }),
            CreateResult::created);
}

TEST_P(StorageTest, NestedWriteIsAnErrorNotADeadlock) {
  auto db = open();
  try {
    db->write([&](WriteTx&) { db->write([](WriteTx&) {}); });
    FAIL() << "nested write was allowed";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::misuse);
  }
  // The outer transaction's failure released the writer.
  db->write([](WriteTx& tx) { tx.accounts().create(user("@alice:test")); });
}

// Readers run while a writer commits; every read transaction must see a consistent snapshot
// (each account with its device, never one without the other) and nothing may fail.
TEST_P(StorageTest, ConcurrentReadersSeeConsistentSnapshotsWhileWriting) {
  OpenOptions options;
  options.max_connections = 4;
  auto db = open(options);
  constexpr int writes = 150;
  constexpr int writer_threads = 2;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> inconsistent{0};
  std::atomic<int> failures{0};

  std::vector<std::thread> threads;
  for (int w = 0; w < writer_threads; ++w) {
    threads.emplace_back([&, w] {
      try {
        for (int i = 0; i < writes; ++i) {
          const std::string id = "@u" + std::to_string(w) + "_" + std::to_string(i) + ":test";
          db->write([&](WriteTx& tx) {
            tx.accounts().create(user(id));
            tx.devices().create(device(id, "D"));
          });
        }
      } catch (const std::exception& error) {
        ADD_FAILURE() << "writer: " << error.what();
        ++failures;
      }
    });
  }
  for (int r = 0; r < 4; ++r) {
    threads.emplace_back([&] {
      try {
        while (!done.load()) {
          db->read([&](ReadTx& tx) {
            const auto accounts = tx.accounts().counts().total;
            std::int64_t with_device = 0;
            for (const Account& account : tx.accounts().list("", 100'000)) {
              with_device += tx.devices().get(account.user_id, "D") ? 1 : 0;
            }
            if (with_device != accounts) {
              ++inconsistent;
            }
          });
          ++reads;
        }
      } catch (const std::exception& error) {
        ADD_FAILURE() << "reader: " << error.what();
        ++failures;
      }
    });
  }
  for (int w = 0; w < writer_threads; ++w) {
    threads[static_cast<std::size_t>(w)].join();
  }
  done = true;
  for (std::size_t t = writer_threads; t < threads.size(); ++t) {
    threads[t].join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.accounts().counts().total; }),
            writes * writer_threads);

  DatabaseStats stats = db->stats();
  for (const PoolStats& pool : stats.pools) {
    EXPECT_EQ(pool.in_use, 0u) << pool.name;
    EXPECT_LE(pool.open_connections, pool.max_connections) << pool.name;
    EXPECT_GT(pool.acquired_total, 0u) << pool.name;
  }
  EXPECT_GE(stats.commits_total, static_cast<std::uint64_t>(writes * writer_threads));
  std::cout << "[ figures  ] " << to_string(GetParam()) << ": " << writes * writer_threads
            << " write transactions and " << reads.load()
            << " full-scan read transactions ran concurrently\n";
}

// Every authenticated request resolves its token; many threads must get the right owner back.
// Prints the rate so a slowdown is visible in the test log.
TEST_P(StorageTest, TokenLookupsFromManyThreads) {
  auto db = open();
  constexpr int users = 20;
  std::vector<std::string> tokens;
  db->write([&](WriteTx& tx) {
    for (int i = 0; i < users; ++i) {
      const std::string id = "@user" + std::to_string(i) + ":test";
      tx.accounts().create(user(id, i % 2 == 0));
      tx.devices().create(device(id, "D"));
      tokens.push_back(generate_access_token());
      tx.tokens().create({tokens.back(), id, "D", t0, std::nullopt});
    }
  });
  constexpr int threads_count = 4;
  constexpr int lookups_per_thread = 500;
  std::atomic<int> wrong{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_count; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < lookups_per_thread; ++i) {
        const int u = (i + t) % users;
        auto owner = db->read([&](ReadTx& tx) { return tx.tokens().lookup(tokens[u]); });
        if (!owner || owner->user_id != "@user" + std::to_string(u) + ":test" ||
            owner->is_admin != (u % 2 == 0)) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(wrong.load(), 0);
  std::cout << "[ figures  ] " << to_string(GetParam()) << ": "
            << static_cast<int>(threads_count * lookups_per_thread / seconds)
            << " token lookups/s (" << threads_count << " threads, one read transaction each)\n";
}

// `ranvier register-user` runs as a second process next to the server: two Database objects
// on one database must both work.
TEST_P(StorageTest, TwoOpenDatabasesShareTheData) {
  auto server = open();
  auto tool = open();
  tool->write([](WriteTx& tx) { tx.accounts().create(user("@admin:test", true)); });
  EXPECT_TRUE(
      server->read([](ReadTx& tx) { return tx.accounts().get("@admin:test").has_value(); }));
}

// After a PostgreSQL restart every pooled connection is dead but looks idle; the next
// transactions must reconnect instead of failing.
TEST(PostgresRecovery, ReconnectsAfterServerDropsConnections) {
  const char* base = std::getenv("RANVIER_TEST_POSTGRES_URL");
  if (base == nullptr || *base == '\0') {
    GTEST_SKIP() << "RANVIER_TEST_POSTGRES_URL is not set (ci/postgres.sh start prints one)";
  }
  const std::string schema = "ranvier_test_" + random_suffix();
  postgres_admin(base, "CREATE SCHEMA " + schema);
  const std::string url = std::string(base) + (std::strchr(base, '?') ? "&" : "?") +
                          "options=-csearch_path%3D" + schema + "&application_name=" + schema;
  {
    OpenOptions options;
    options.max_connections = 2;
    auto db = open_database(url, options);
    db->write([](WriteTx& tx) { tx.accounts().create(user("@alice:test")); });
    postgres_admin(base,
                   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                   " WHERE application_name = '" +
                       schema + "'");
    EXPECT_TRUE(db->read([](ReadTx& tx) { return tx.accounts().get("@alice:test").has_value(); }));
    EXPECT_EQ(db->write([](WriteTx& tx) { return tx.accounts().create(user("@bob:test")); }),
              CreateResult::created);
  }
  postgres_admin(base, "DROP SCHEMA " + schema + " CASCADE");
}

// Two processes (server and register-user) writing the same row: the second waits for the
// first to commit and then sees its row, on both engines.
TEST_P(StorageTest, SecondWriterWaitsForTheFirstToCommit) {
  auto server = open();
  auto tool = open();
  std::atomic<bool> inside{false};
  std::thread first([&] {
    server->write([&](WriteTx& tx) {
      tx.accounts().create(user("@admin:test", true));
      inside = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    });
  });
  while (!inside.load()) {
    std::this_thread::yield();
  }
  EXPECT_EQ(tool->write([](WriteTx& tx) { return tx.accounts().create(user("@admin:test")); }),
            CreateResult::exists);
  first.join();
  auto admin = tool->read([](ReadTx& tx) { return tx.accounts().get("@admin:test"); });
  ASSERT_TRUE(admin);
  EXPECT_TRUE(admin->is_admin);
}

// SQLite only: a lock held longer than busy_timeout by another connection is a typed,
// retryable error, not a hang.
TEST(SqliteBusy, LockHeldPastBusyTimeoutIsBusy) {
  const auto dir = std::filesystem::temp_directory_path() / ("ranvier-busy-" + random_suffix());
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite://" + (dir / "test.db").string();
  {
    auto holder = open_database(url);
    OpenOptions impatient;
    impatient.busy_timeout = std::chrono::milliseconds(50);
    auto waiter = open_database(url, impatient);
    std::atomic<bool> inside{false};
    std::atomic<bool> release{false};
    std::thread first([&] {
      holder->write([&](WriteTx& tx) {
        tx.accounts().create(user("@a:test"));
        inside = true;
        while (!release.load()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      });
    });
    while (!inside.load()) {
      std::this_thread::yield();
    }
    try {
      waiter->write([](WriteTx& tx) { tx.accounts().create(user("@b:test")); });
      ADD_FAILURE() << "wrote while another connection held the write lock";
    } catch (const StorageError& error) {
      EXPECT_EQ(error.kind(), ErrorKind::busy) << error.what();
    }
    release = true;
    first.join();
    EXPECT_EQ(waiter->write([](WriteTx& tx) { return tx.accounts().create(user("@b:test")); }),
              CreateResult::created);
  }
  std::filesystem::remove_all(dir);
}

TEST(SqliteFiles, NewDatabaseIsReadableByItsOwnerOnly) {
  const auto dir = std::filesystem::temp_directory_path() / ("ranvier-mode-" + random_suffix());
  std::filesystem::create_directories(dir);
  open_database("sqlite://" + (dir / "new.db").string());
  const auto permissions = std::filesystem::status(dir / "new.db").permissions();
  EXPECT_EQ(permissions & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, StorageTest,
                         ::testing::Values(Backend::sqlite, Backend::postgres), backend_name);

}  // namespace
}  // namespace ranvier::storage::test

namespace ranvier::storage::test {
namespace {

TEST_P(StorageTest, RegistrationTokensCountTheirUsesAndExpire) {
  auto db = open();
  db->write([](WriteTx& tx) {
    EXPECT_EQ(tx.registration_tokens().create({.token = "once", .uses_allowed = 1, .created_ts = 1}),
              CreateResult::created);
    EXPECT_EQ(tx.registration_tokens().create({.token = "once", .created_ts = 2}), CreateResult::exists);
    tx.registration_tokens().create({.token = "until", .expiry_time = 1000, .created_ts = 1});
    tx.registration_tokens().create({.token = "always", .created_ts = 1});
  });
  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.registration_tokens().consume("once", 10));
    EXPECT_FALSE(tx.registration_tokens().consume("once", 10));
    EXPECT_TRUE(tx.registration_tokens().consume("until", 999));
    EXPECT_FALSE(tx.registration_tokens().consume("until", 1000));
    EXPECT_TRUE(tx.registration_tokens().consume("always", 5));
    EXPECT_TRUE(tx.registration_tokens().consume("always", 6));
    EXPECT_FALSE(tx.registration_tokens().consume("unknown", 6));
  });
  db->read([](ReadTx& tx) {
    auto once = tx.registration_tokens().get("once");
    ASSERT_TRUE(once);
    EXPECT_EQ(once->completed, 1);
    EXPECT_FALSE(once->usable(0));
    EXPECT_EQ(tx.registration_tokens().get("always")->completed, 2);
    EXPECT_TRUE(tx.registration_tokens().get("always")->usable(1'000'000));
    EXPECT_EQ(tx.registration_tokens().list().size(), 3u);
  });
  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.registration_tokens().remove("until"));
    EXPECT_FALSE(tx.registration_tokens().remove("until"));
  });
}

TEST_P(StorageTest, ReceiptsMoveAndAreListedByStream) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.receipts().put({.room_id = "!a", .user_id = "@u", .receipt_type = "m.read", .event_id = "$1", .ts = 10});
    tx.receipts().put({.room_id = "!b", .user_id = "@u", .receipt_type = "m.read", .event_id = "$x", .ts = 11});
    tx.receipts().put({.room_id = "!a", .user_id = "@v", .receipt_type = "m.read", .thread_id = "main",
                       .event_id = "$1", .ts = 12});
    tx.receipts().put({.room_id = "!a", .user_id = "@u", .receipt_type = "m.read", .event_id = "$2", .ts = 13});
  });
  db->read([](ReadTx& tx) {
    const std::vector<std::string> a{"!a"};
    auto all = tx.receipts().changed_since(a, 0);
    ASSERT_EQ(all.size(), 2u);
    // @u's receipt moved to $2 and behind @v's in the stream.
    EXPECT_EQ(all[0].user_id, "@v");
    EXPECT_EQ(all[0].thread_id, "main");
    EXPECT_EQ(all[1].event_id, "$2");
    EXPECT_EQ(all[1].ts, 13);
    EXPECT_EQ(tx.receipts().max_stream(), all[1].stream);
    EXPECT_EQ(tx.receipts().changed_since(a, all[0].stream).size(), 1u);
    const std::vector<std::string> both{"!a", "!b"};
    EXPECT_EQ(tx.receipts().changed_since(both, 0).size(), 3u);
    EXPECT_TRUE(tx.receipts().changed_since({}, 0).empty());
  });
}

TEST_P(StorageTest, ToDeviceMessagesWaitUntilAcknowledged) {
  auto db = open();
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@bob:test", false));
    tx.devices().create(device("@bob:test", "PHONE"));
    tx.devices().create(device("@bob:test", "LAPTOP"));
    for (int i = 0; i < 3; ++i) {
      tx.to_device().enqueue({.user_id = "@bob:test", .device_id = "PHONE", .sender = "@alice:test",
                              .type = "m.room_key_request", .content = "{\"n\":" + std::to_string(i) + "}"});
    }
    tx.to_device().enqueue({.user_id = "@bob:test", .device_id = "LAPTOP", .sender = "@alice:test",
                            .type = "m.dummy", .content = "{}"});
  });
  auto phone = db->read([](ReadTx& tx) { return tx.to_device().pending("@bob:test", "PHONE", 0, 2); });
  ASSERT_EQ(phone.size(), 2u);
  EXPECT_EQ(phone[0].content, "{\"n\":0}");
  EXPECT_EQ(phone[0].sender, "@alice:test");
  EXPECT_LT(phone[0].stream, phone[1].stream);
  EXPECT_EQ(db->write([&](WriteTx& tx) { return tx.to_device().acknowledge("@bob:test", "PHONE", phone[1].stream); }),
            2);
  auto rest = db->read([](ReadTx& tx) { return tx.to_device().pending("@bob:test", "PHONE", 0, 10); });
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].content, "{\"n\":2}");
  // A deleted device takes its messages with it; a missing device cannot receive any.
  db->write([](WriteTx& tx) { tx.devices().remove("@bob:test", "LAPTOP"); });
  EXPECT_TRUE(db->read([](ReadTx& tx) { return tx.to_device().pending("@bob:test", "LAPTOP", 0, 10); }).empty());
  try {
    db->write([](WriteTx& tx) {
      tx.to_device().enqueue(
          {.user_id = "@bob:test", .device_id = "GONE", .sender = "@a:test", .type = "m.dummy", .content = "{}"});
    });
    FAIL() << "queued a message for a device that does not exist";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::constraint);
  }
}

}  // namespace
}  // namespace ranvier::storage::test
