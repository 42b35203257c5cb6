// The transaction worker over a real SQLite database (application service API, "Pushing
// events"): which events go to a service, in which transactions, and what a failure does.

#include "appservice/transactions.hpp"

#include "core/room_version.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/test_drafts.hpp"
#include "rooms/test_room_database.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ranvier::appservice {
namespace {

struct Call {
  std::string path;
  nlohmann::json body;
};

class TransactionWorkerTest : public rooms::testing::RoomDatabaseTest {
 protected:
  std::unique_ptr<TransactionWorker> worker() {
    Caller caller = [this](const Registration&, std::string_view method, std::string_view path,
                           const std::string& body) {
      EXPECT_EQ(method, "PUT");
      calls_.push_back({std::string(path), nlohmann::json::parse(body)});
      const int status = answers_.empty() ? 200 : answers_.front();
      if (!answers_.empty()) {
        answers_.erase(answers_.begin());
      }
      return CallOutcome{CallFailure::none, status, "{}", ""};
    };
    return std::make_unique<TransactionWorker>(
        *db_, registry_, caller, notifier_,
        TransactionOptions{.now_ms = [this] { return now_; }, .typing = &typing_, .presence = &presence_});
  }

  std::string create_room(const std::string& creator) {
    return make_room({.creator = creator,
                      .creator_member_content = {{"membership", "join"}},
                      .room_version = std::string(core::default_room_version),
                      .preset = "private_chat"});
  }

  std::string say(const std::string& room_id, const std::string& sender, const std::string& body) {
    return send(room_id, rooms::testing::message(sender, body)).event_id;
  }

  static std::vector<std::string> bodies(const nlohmann::json& transaction) {
    std::vector<std::string> out;
    for (const auto& event : transaction["events"]) {
      if (event["type"] == "m.room.message") {
        out.push_back(event["content"]["body"]);
      }
    }
    return out;
  }

  rooms::Notifier notifier_;
  rooms::Typing typing_;
  rooms::Presence presence_;
  Registry registry_{{parse_registration("id: bridge\nurl: http://127.0.0.1:1\nas_token: a\nhs_token: h\n"
                                         "sender_localpart: bot\nreceive_ephemeral: true\nnamespaces:\n  users:\n"
                                         "    - {exclusive: true, regex: '@bridge_.*'}\n",
                                         "bridge.yaml")},
                     "test"};
  std::vector<Call> calls_;
  std::vector<int> answers_;
  std::int64_t now_ = 1'000'000;
};

TEST_F(TransactionWorkerTest, NewServiceStartsAtTheEndOfTheStream) {
  const auto before = create_room("@bridge_old:test");
  say(before, "@bridge_old:test", "history");
  auto w = worker();
  EXPECT_FALSE(w->run_once());
  EXPECT_TRUE(calls_.empty());
  say(before, "@bridge_old:test", "new");
  w->run_once();
  ASSERT_EQ(calls_.size(), 1U);
  EXPECT_EQ(calls_[0].path, "/_matrix/app/v1/transactions/1");
  EXPECT_EQ(bodies(calls_[0].body), std::vector<std::string>{"new"});
}

TEST_F(TransactionWorkerTest, OnlyInterestingEventsInClientFormat) {
  auto w = worker();
  w->run_once();
  const auto bridged = create_room("@bridge_alice:test");
  const auto other = create_room("@carol:test");
  say(other, "@carol:test", "private");
  const auto sent = say(bridged, "@bridge_alice:test", "bridged");
  w->run_once();
  ASSERT_EQ(calls_.size(), 1U);
  const auto& events = calls_[0].body["events"];
  EXPECT_EQ(bodies(calls_[0].body), std::vector<std::string>{"bridged"});
  for (const auto& event : events) {
    EXPECT_EQ(event["room_id"], bridged);
    EXPECT_FALSE(event.contains("auth_events"));  // client format, not the PDU
    EXPECT_FALSE(event.contains("hashes"));
  }
  EXPECT_EQ(events.back()["event_id"], sent);
}

TEST_F(TransactionWorkerTest, FailedTransactionIsRetriedWithTheSameIdAfterBackOff) {
  auto w = worker();
  w->run_once();
  const auto room = create_room("@bridge_bob:test");
  answers_ = {500, 503};
  say(room, "@bridge_bob:test", "one");
  auto due = w->run_once();
  ASSERT_EQ(calls_.size(), 1U);
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, now_ + 1'000);  // the first back-off
  say(room, "@bridge_bob:test", "two");
  w->run_once();  // not due yet: nothing is sent, and "two" waits behind "one"
  EXPECT_EQ(calls_.size(), 1U);
  now_ += 1'000;
  due = w->run_once();
  ASSERT_EQ(calls_.size(), 2U);  // 503 this time
  EXPECT_EQ(*due, now_ + 2'000);
  now_ += 2'000;
  // A restart keeps the queue: a new worker sends the same transaction, then the next one.
  w.reset();
  w = worker();
  w->run_once();
  ASSERT_EQ(calls_.size(), 4U);
  EXPECT_EQ(calls_[0].path, calls_[1].path);
  EXPECT_EQ(calls_[1].path, calls_[2].path);
  EXPECT_EQ(calls_[2].body, calls_[0].body);
  EXPECT_EQ(bodies(calls_[2].body).back(), "one");
  EXPECT_EQ(bodies(calls_[3].body), std::vector<std::string>{"two"});
  EXPECT_NE(calls_[3].path, calls_[2].path);
}

// Spec: application service API, "Pushing EDUs".
TEST_F(TransactionWorkerTest, ReceiptsOfInterestingRoomsGoInEphemeral) {
  const auto bridged = create_room("@bridge_dan:test");
  const auto other = create_room("@carol:test");
  const auto event = say(bridged, "@bridge_dan:test", "read me");
  db_->write([&](storage::WriteTx& tx) {
    tx.receipts().put({bridged, "@alice:test", "m.read", "", event, 1234});
    tx.receipts().put({other, "@carol:test", "m.read", "", event, 1});
  });
  auto w = worker();
  w->run_once();  // a new service starts after these
  EXPECT_TRUE(calls_.empty());
  db_->write([&](storage::WriteTx& tx) {
    tx.receipts().put({bridged, "@alice:test", "m.read", "main", event, 2000});
    tx.receipts().put({bridged, "@alice:test", "m.read.private", "", event, 2001});  // not its user
    tx.receipts().put({bridged, "@bridge_dan:test", "m.read.private", "", event, 2002});
    tx.receipts().put({other, "@carol:test", "m.read", "", event, 2003});
  });
  w->run_once();
  ASSERT_EQ(calls_.size(), 1U);
  EXPECT_TRUE(calls_[0].body["events"].empty());
  const nlohmann::json expected = nlohmann::json::array(
      {{{"type", "m.receipt"},
        {"room_id", bridged},
        {"content",
         {{event,
           {{"m.read", {{"@alice:test", {{"ts", 2000}, {"thread_id", "main"}}}}},
            {"m.read.private", {{"@bridge_dan:test", {{"ts", 2002}}}}}}}}}}});
  EXPECT_EQ(calls_[0].body["ephemeral"], expected);
  w->run_once();
  EXPECT_EQ(calls_.size(), 1U);
}

// Spec: application service API, "Pushing ephemeral data": m.typing with the room ID for rooms
// the service is interested in, m.presence of its users and of those sharing a room with them.
TEST_F(TransactionWorkerTest, TypingAndPresenceGoInEphemeralOnceAndInOrder) {
  db_->write([&](storage::WriteTx& tx) {
    tx.accounts().create({.user_id = "@bridge_eve:test", .password_hash = "x", .created_ts = 1});
  });
  const auto bridged = make_room({.creator = "@bridge_eve:test",
                                  .creator_member_content = {{"membership", "join"}},
                                  .room_version = std::string(core::default_room_version),
                                  .preset = "public_chat"});
  send(bridged, rooms::testing::member("@alice:test", "@alice:test", "join"));
  const auto other = create_room("@carol:test");
  auto w = worker();
  w->run_once();
  ASSERT_TRUE(calls_.empty());

  answers_ = {500};
  typing_.set(bridged, "@alice:test", true, std::chrono::seconds(30));
  typing_.set(other, "@carol:test", true, std::chrono::seconds(30));
  presence_.set("@alice:test", "online", std::nullopt, now_ - 5);
  presence_.set("@carol:test", "online", std::nullopt, now_);
  presence_.set("@bridge_eve:test", "unavailable", std::string("bridging"), now_);
  w->run_once();
  ASSERT_EQ(calls_.size(), 1U);  // refused: sent again after the back-off
  typing_.set(bridged, "@alice:test", false, std::chrono::seconds(30));
  w->run_once();
  ASSERT_EQ(calls_.size(), 1U);
  now_ += 1'000;
  w->run_once();
  ASSERT_EQ(calls_.size(), 3U);
  EXPECT_EQ(calls_[1].path, calls_[0].path);
  EXPECT_EQ(calls_[1].body, calls_[0].body);
  EXPECT_TRUE(calls_[0].body["events"].empty());

  const auto& first = calls_[0].body["ephemeral"];
  ASSERT_EQ(first.size(), 3U) << first.dump();
  EXPECT_EQ(first[0], (nlohmann::json{{"type", "m.typing"},
                                       {"room_id", bridged},
                                       {"content", {{"user_ids", {"@alice:test"}}}}}));
  std::map<std::string, nlohmann::json> presence;
  for (std::size_t i = 1; i < first.size(); ++i) {
    EXPECT_EQ(first[i]["type"], "m.presence");
    presence[first[i]["sender"]] = first[i]["content"];
  }
  ASSERT_TRUE(presence.contains("@alice:test"));
  ASSERT_TRUE(presence.contains("@bridge_eve:test"));  // carol shares no room with the bridge
  EXPECT_EQ(presence["@alice:test"]["presence"], "online");
  EXPECT_EQ(presence["@alice:test"]["last_active_ago"], 5);
  EXPECT_EQ(presence["@bridge_eve:test"]["status_msg"], "bridging");

  const nlohmann::json stopped = nlohmann::json::array(
      {{{"type", "m.typing"}, {"room_id", bridged}, {"content", {{"user_ids", nlohmann::json::array()}}}}});
  EXPECT_EQ(calls_[2].body["ephemeral"], stopped);
  EXPECT_NE(calls_[2].path, calls_[1].path);
  w->run_once();
  EXPECT_EQ(calls_.size(), 3U);
  typing_.set(other, "@carol:test", false, std::chrono::seconds(30));
  w->run_once();
  EXPECT_EQ(calls_.size(), 3U);  // not a room of the service's

  // Someone joining a room of the service's joins its presence audience.
  send(bridged, rooms::testing::member("@frank:test", "@frank:test", "join"));
  presence_.set("@frank:test", "online", std::nullopt, now_);
  w->run_once();
  presence_.set("@frank:test", "unavailable", std::nullopt, now_);
  w->run_once();
  ASSERT_GE(calls_.size(), 4U);
  const auto& last = calls_.back().body["ephemeral"];
  ASSERT_EQ(last.size(), 1U) << last.dump();
  EXPECT_EQ(last[0]["sender"], "@frank:test");
  EXPECT_EQ(last[0]["content"]["presence"], "unavailable");
}

TEST(AppserviceBackoff, DoublesUpToTheCap) {
  using std::chrono::milliseconds;
  EXPECT_EQ(backoff_ms(0, milliseconds(1'000), milliseconds(300'000)), 1'000);
  EXPECT_EQ(backoff_ms(3, milliseconds(1'000), milliseconds(300'000)), 8'000);
  EXPECT_EQ(backoff_ms(40, milliseconds(1'000), milliseconds(300'000)), 300'000);
}

}  // namespace
}  // namespace ranvier::appservice
