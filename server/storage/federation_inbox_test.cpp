// Received federation transactions, on both backends.

#include "storage/storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

TEST_P(StorageTest, InboundTransactionsAreRememberedPerOrigin) {
  auto db = open();
  const InboundTransaction first{.origin = "a.example", .txn_id = "t1", .response = R"({"pdus":{}})", .received_ts = t0};
  EXPECT_EQ(db->write([&](WriteTx& tx) { return tx.federation_inbox().record_transaction(first); }),
            CreateResult::created);
  // The same ID again from the same origin changes nothing; from another origin it is new.
  auto again = first;
  again.response = "{}";
  EXPECT_EQ(db->write([&](WriteTx& tx) { return tx.federation_inbox().record_transaction(again); }),
            CreateResult::exists);
  auto other = first;
  other.origin = "b.example";
  other.received_ts = t0 + 10;
  EXPECT_EQ(db->write([&](WriteTx& tx) { return tx.federation_inbox().record_transaction(other); }),
            CreateResult::created);
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.federation_inbox().transaction_response("a.example", "t1"), first.response);
    EXPECT_EQ(tx.federation_inbox().transaction_response("a.example", "t2"), std::nullopt);
  });
  EXPECT_EQ(db->write([&](WriteTx& tx) { return tx.federation_inbox().forget_transactions_before(t0 + 5); }), 1);
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.federation_inbox().transaction_response("a.example", "t1"), std::nullopt);
    EXPECT_EQ(tx.federation_inbox().transaction_response("b.example", "t1"), other.response);
  });
}

}  // namespace
}  // namespace ranvier::storage::test
