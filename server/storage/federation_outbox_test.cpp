// The federation outbox on every backend: per-destination queues with the transaction size
// limits, removal of what a destination accepted, and back-off that hides a destination until
// its retry time.

#include "storage/storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

std::vector<std::int64_t> streams_of(const std::vector<OutboundItem>& items) {
  std::vector<std::int64_t> streams;
  for (const auto& item : items) {
    streams.push_back(item.stream);
  }
  return streams;
}

TEST_P(StorageTest, OutboxQueuesPerDestinationWithinTransactionLimits) {
  auto db = open();
  db->write([](WriteTx& tx) {
    for (int i = 0; i < 5; ++i) {
      tx.federation_outbox().enqueue("a.test", OutboundKind::pdu, R"({"n":)" + std::to_string(i) + "}");
    }
    tx.federation_outbox().enqueue("a.test", OutboundKind::edu, R"({"edu_type":"m.typing"})");
    tx.federation_outbox().enqueue("b.test", OutboundKind::edu, R"({"edu_type":"m.receipt"})");
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.federation_outbox().due_destinations(t0, 10), (std::vector<std::string>{"a.test", "b.test"}));
    EXPECT_EQ(tx.federation_outbox().due_destinations(t0, 1), (std::vector<std::string>{"a.test"}));
    const auto batch = tx.federation_outbox().pending("a.test", 3, 10);
    ASSERT_EQ(batch.size(), 4u);
    EXPECT_EQ(batch[0].body, R"({"n":0})");
    EXPECT_EQ(batch[2].body, R"({"n":2})");
    EXPECT_EQ(batch[3].kind, OutboundKind::edu);
    EXPECT_TRUE(tx.federation_outbox().pending("c.test", 50, 100).empty());
  });
  db->write([](WriteTx& tx) {
    const auto batch = tx.federation_outbox().pending("a.test", 3, 10);
    // Removing a's items by stream ID must not touch b's queue.
    tx.federation_outbox().remove("a.test", streams_of(batch));
    tx.federation_outbox().remove("b.test", streams_of(batch));
  });
  db->read([](ReadTx& tx) {
    const auto rest = tx.federation_outbox().pending("a.test", 50, 100);
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].body, R"({"n":3})");
    EXPECT_EQ(tx.federation_outbox().pending("b.test", 50, 100).size(), 1u);
  });
}

TEST_P(StorageTest, OutboxBackoffHidesADestinationUntilItsRetryTime) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.federation_outbox().enqueue("down.test", OutboundKind::pdu, "{}");
    tx.federation_outbox().enqueue("up.test", OutboundKind::pdu, "{}");
    tx.federation_outbox().set_backoff(
        DestinationBackoff{.destination = "down.test", .retry_at_ms = t0 + 2000, .backoff_ms = 2000, .last_error = "refused"});
    // A backed-off destination with nothing queued does not count for the next retry.
    tx.federation_outbox().set_backoff(
        DestinationBackoff{.destination = "idle.test", .retry_at_ms = t0 + 10, .backoff_ms = 10, .last_error = "x"});
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.federation_outbox().due_destinations(t0, 10), (std::vector<std::string>{"up.test"}));
    EXPECT_EQ(tx.federation_outbox().due_destinations(t0 + 2000, 10),
              (std::vector<std::string>{"down.test", "up.test"}));
    EXPECT_EQ(tx.federation_outbox().next_retry_at(), t0 + 2000);
    const auto backoff = tx.federation_outbox().backoff("down.test");
    ASSERT_TRUE(backoff);
    EXPECT_EQ(backoff->backoff_ms, 2000);
    EXPECT_EQ(backoff->last_error, "refused");
  });
  db->write([](WriteTx& tx) {
    // A second failure replaces the back-off; success forgets it.
    tx.federation_outbox().set_backoff(
        DestinationBackoff{.destination = "down.test", .retry_at_ms = t0 + 4000, .backoff_ms = 4000, .last_error = "timeout"});
    EXPECT_EQ(tx.federation_outbox().backoff("down.test")->last_error, "timeout");
    tx.federation_outbox().clear_backoff("down.test");
  });
  db->read([](ReadTx& tx) {
    EXPECT_FALSE(tx.federation_outbox().backoff("down.test"));
    EXPECT_FALSE(tx.federation_outbox().next_retry_at());
    EXPECT_EQ(tx.federation_outbox().due_destinations(t0, 10).size(), 2u);
  });
}

}  // namespace
}  // namespace ranvier::storage::test
