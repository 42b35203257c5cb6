// The application service store, on both engines.

#include "storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

TEST_P(StorageTest, AppserviceTransactionsGetGrowingIdsAndRetriesKeepThem) {
  auto database = open();
  EXPECT_FALSE(database->read([](ReadTx& tx) { return tx.appservices().stream_position("irc"); }));
  database->write([](WriteTx& tx) { tx.appservices().set_stream_position("irc", 7); });
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.appservices().stream_position("irc"); }), 7);

  const auto first = database->write([](WriteTx& tx) {
    tx.appservices().set_stream_position("irc", 9);
    return tx.appservices().add_txn("irc", R"(["$a"])", "[]", t0);
  });
  const auto second = database->write([](WriteTx& tx) { return tx.appservices().add_txn("irc", R"(["$b"])", R"([{"type":"m.receipt"}])", t0); });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 2);
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.appservices().stream_position("irc"); }), 9);

  database->write([&](WriteTx& tx) { tx.appservices().retry_txn("irc", first, t0 + 500); });
  auto oldest = database->read([](ReadTx& tx) { return tx.appservices().oldest_txn("irc"); });
  ASSERT_TRUE(oldest);
  EXPECT_EQ(*oldest, (AppserviceTxn{"irc", first, R"(["$a"])", 1, t0 + 500}));

  database->write([&](WriteTx& tx) { tx.appservices().finish_txn("irc", first); });
  oldest = database->read([](ReadTx& tx) { return tx.appservices().oldest_txn("irc"); });
  ASSERT_TRUE(oldest);
  EXPECT_EQ(oldest->txn_id, second);
  EXPECT_EQ(oldest->ephemeral, R"([{"type":"m.receipt"}])");
  database->write([&](WriteTx& tx) { tx.appservices().finish_txn("irc", second); });
  // IDs keep growing after the queue empties: a service never sees an ID twice.
  EXPECT_EQ(database->write([](WriteTx& tx) { return tx.appservices().add_txn("irc", "[]", "[]", t0); }), 3);
  EXPECT_FALSE(database->read([](ReadTx& tx) { return tx.appservices().oldest_txn("other"); }));
  EXPECT_THROW(database->write([](WriteTx& tx) { return tx.appservices().add_txn("other", "[]", "[]", t0); }),
               StorageError);
}

TEST_P(StorageTest, AppserviceTimelineAfterIsEmptyWithoutEvents) {
  auto database = open();
  EXPECT_TRUE(database->read([](ReadTx& tx) { return tx.appservices().timeline_after(0, 100, 10); }).empty());
}

TEST_P(StorageTest, AppserviceReceiptsInStreamOrder) {
  auto database = open();
  database->write([](WriteTx& tx) {
    tx.receipts().put({"!a:x", "@u:x", "m.read", "", "$1", t0});
    tx.receipts().put({"!b:x", "@v:x", "m.read.private", "t", "$2", t0 + 1});
    tx.receipts().put({"!a:x", "@u:x", "m.read", "", "$3", t0 + 2});  // moves: a new position
  });
  const auto top = database->read([](ReadTx& tx) { return tx.appservices().max_receipt_stream(); });
  const auto all = database->read([&](ReadTx& tx) { return tx.appservices().receipts_after(0, top, 10); });
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].event_id, "$2");
  EXPECT_EQ(all[0].receipt_type, "m.read.private");
  EXPECT_EQ(all[0].thread_id, "t");
  EXPECT_EQ(all[1].event_id, "$3");
  EXPECT_EQ(all[1].stream, top);
  EXPECT_EQ(database->read([&](ReadTx& tx) { return tx.appservices().receipts_after(all[0].stream, top, 10); }).size(),
            1U);
  database->write([](WriteTx& tx) { tx.appservices().set_stream_position("irc", 0); });
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.appservices().receipt_position("irc"); }), 0);
  database->write([&](WriteTx& tx) { tx.appservices().set_receipt_position("irc", top); });
  EXPECT_EQ(database->read([](ReadTx& tx) { return tx.appservices().receipt_position("irc"); }), top);
}

}  // namespace
}  // namespace ranvier::storage::test
