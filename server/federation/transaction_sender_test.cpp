// The transaction sender over a real SQLite outbox with a scripted destination: what goes into
// a transaction, what an answer removes, how failures back a destination off, and that the
// watching thread sends what a commit queued.

#include "federation/transaction_sender.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace ranvier::federation {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

struct Sent {
  std::string destination;
  std::string txn_id;
  nlohmann::json body;
};

class SenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ranvier-sender-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = storage::open_database("sqlite://" + (dir_ / "test.db").string());
  }
  void TearDown() override {
    sender_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  TransactionSender& sender() {
    if (!sender_) {
      SenderOptions options;
      options.max_pdus = 3;
      options.max_edus = 2;
      options.now_ms = [this] { return now_.load(); };
      sender_ = std::make_unique<TransactionSender>(
          *db_, "origin.test",
          [this](const std::string& destination, const std::string& txn_id, const nlohmann::json& body) {
            std::lock_guard lock(mutex_);
            sent_.push_back({destination, txn_id, body});
            sent_changed_.notify_all();
            return answer_;
          },
          notifier_, options);
    }
    return *sender_;
  }

  void enqueue(const std::string& destination, storage::OutboundKind kind, const nlohmann::json& body) {
    db_->write([&](storage::WriteTx& tx) { tx.federation_outbox().enqueue(destination, kind, body.dump()); });
  }

  std::size_t queued(const std::string& destination) {
    return db_->read(
        [&](storage::ReadTx& tx) { return tx.federation_outbox().pending(destination, 1000, 1000).size(); });
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  rooms::Notifier notifier_;
  std::atomic<std::int64_t> now_{t0};
  std::mutex mutex_;
  std::condition_variable sent_changed_;
  std::vector<Sent> sent_;
  TransactionOutcome answer_{200, ""};
  std::unique_ptr<TransactionSender> sender_;
};

TEST_F(SenderTest, OneTransactionCarriesTheOldestItemsWithinTheLimits) {
  for (int i = 0; i < 4; ++i) {
    enqueue("a.test", storage::OutboundKind::pdu, {{"n", i}});
  }
  for (int i = 0; i < 3; ++i) {
    enqueue("a.test", storage::OutboundKind::edu, {{"edu_type", "m.typing"}, {"content", {{"n", i}}}});
  }
  ASSERT_TRUE(sender().send_one("a.test"));
  ASSERT_EQ(sent_.size(), 1u);
  const auto& body = sent_[0].body;
  EXPECT_EQ(sent_[0].destination, "a.test");
  EXPECT_EQ(body["origin"], "origin.test");
  EXPECT_EQ(body["origin_server_ts"], t0);
  EXPECT_EQ(body["pdus"], (nlohmann::json::array({{{"n", 0}}, {{"n", 1}}, {{"n", 2}}})));
  ASSERT_EQ(body["edus"].size(), 2u);
  EXPECT_EQ(body["edus"][1]["content"]["n"], 1);
  EXPECT_EQ(queued("a.test"), 2u);  // one PDU and one EDU left for the next transaction

  ASSERT_TRUE(sender().send_one("a.test"));
  EXPECT_EQ(sent_[1].body["pdus"].size(), 1u);
  EXPECT_NE(sent_[1].txn_id, sent_[0].txn_id);
  EXPECT_EQ(queued("a.test"), 0u);
  EXPECT_FALSE(sender().send_one("a.test"));  // nothing left: no request
  EXPECT_EQ(sent_.size(), 2u);

  // Queued after the queue ran empty: still a new transaction ID, because the destination
  // answers an ID it has seen from its memory instead of reading the transaction.
  enqueue("a.test", storage::OutboundKind::pdu, {{"n", 9}});
  ASSERT_TRUE(sender().send_one("a.test"));
  EXPECT_NE(sent_[2].txn_id, sent_[0].txn_id);
  EXPECT_NE(sent_[2].txn_id, sent_[1].txn_id);
}

TEST_F(SenderTest, FailuresBackOffDoublingAndARetryKeepsTheTransactionId) {
  enqueue("down.test", storage::OutboundKind::pdu, {{"n", 1}});
  answer_ = {0, "connection refused"};
  EXPECT_FALSE(sender().send_one("down.test"));
  auto backoff = db_->read([](storage::ReadTx& tx) { return tx.federation_outbox().backoff("down.test"); });
  ASSERT_TRUE(backoff);
  EXPECT_EQ(backoff->backoff_ms, 2000);
  EXPECT_EQ(backoff->retry_at_ms, t0 + 2000);
  EXPECT_EQ(backoff->last_error, "connection refused");

  // Backed off: no request before the retry time.
  now_ = t0 + 1999;
  EXPECT_FALSE(sender().send_one("down.test"));
  EXPECT_EQ(sent_.size(), 1u);

  now_ = t0 + 2000;
  answer_ = {503, "busy"};
  EXPECT_FALSE(sender().send_one("down.test"));
  backoff = db_->read([](storage::ReadTx& tx) { return tx.federation_outbox().backoff("down.test"); });
  EXPECT_EQ(backoff->backoff_ms, 4000);
  EXPECT_EQ(backoff->last_error, "HTTP 503: busy");

  now_ = t0 + 6000;
  answer_ = {200, ""};
  EXPECT_TRUE(sender().send_one("down.test"));
  ASSERT_EQ(sent_.size(), 3u);
  // The same items again: the same transaction ID, so the destination can recognise it.
  EXPECT_EQ(sent_[2].txn_id, sent_[0].txn_id);
  EXPECT_FALSE(db_->read([](storage::ReadTx& tx) { return tx.federation_outbox().backoff("down.test"); }));
  EXPECT_EQ(queued("down.test"), 0u);
}

TEST_F(SenderTest, ADestinationThatContactsUsIsRetriedAtOnce) {
  enqueue("down.test", storage::OutboundKind::pdu, {{"n", 1}});
  answer_ = {0, "timeout"};
  EXPECT_FALSE(sender().send_one("down.test"));
  sender().reset_backoff("down.test");
  answer_ = {200, ""};
  EXPECT_TRUE(sender().send_one("down.test"));
}

TEST_F(SenderTest, ATransactionRefusedAsMalformedIsDroppedNotRetriedForever) {
  enqueue("strict.test", storage::OutboundKind::pdu, {{"n", 1}});
  answer_ = {400, "M_BAD_JSON"};
  EXPECT_FALSE(sender().send_one("strict.test"));
  EXPECT_EQ(queued("strict.test"), 0u);
  EXPECT_FALSE(db_->read([](storage::ReadTx& tx) { return tx.federation_outbox().backoff("strict.test"); }));
}

TEST_F(SenderTest, TheWatchingThreadSendsWhatACommitQueued) {
  sender().start();
  enqueue("a.test", storage::OutboundKind::pdu, {{"n", 1}});
  enqueue("b.test", storage::OutboundKind::pdu, {{"n", 2}});
  rooms::Notifier::mark_queued(rooms::WorkQueue::federation_outbox);
  notifier_.notify();
  std::unique_lock lock(mutex_);
  ASSERT_TRUE(sent_changed_.wait_for(lock, std::chrono::seconds(10), [this] { return sent_.size() >= 2; }));
  lock.unlock();
  sender().stop();
  EXPECT_EQ(queued("a.test"), 0u);
  EXPECT_EQ(queued("b.test"), 0u);
}

}  // namespace
}  // namespace ranvier::federation
