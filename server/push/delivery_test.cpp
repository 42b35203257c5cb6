// The push delivery worker against a real SQLite database and a fake gateway: delivered
// notifications leave the queue, failures come back after a growing back-off, client errors
// and too many failures drop them, rejected pushkeys lose their pusher; gateway URL parsing.

#include "push/delivery.hpp"
#include "push/gateway_http.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace ranvier::push {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
const std::string bob = "@bob:test";

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ranvier-push-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    db_ = storage::open_database("sqlite://" + (dir_ / "test.db").string());
    db_->write([](storage::WriteTx& tx) {
      tx.accounts().create({.user_id = bob, .password_hash = "x", .created_ts = t0});
      tx.devices().create({.user_id = bob, .device_id = "D", .created_ts = t0});
      for (const char* key : {"k1", "k2"}) {
        tx.pushers().put({.user_id = bob,
                          .app_id = "app",
                          .pushkey = key,
                          .device_id = "D",
                          .kind = "http",
                          .app_display_name = "App",
                          .device_display_name = "Phone",
                          .lang = "en",
                          .data = R"({"url":"https://gw.test/_matrix/push/v1/notify","extra":1})",
                          .created_ts = t0});
      }
      const std::vector<storage::PushAction> actions = {{bob, true, R"(["notify",{"set_tweak":"highlight"}])"}};
      tx.notifications().add({.room_id = "!r:test", .event_id = "$e", .thread_id = "main", .stream = 7, .ts = t0},
                             actions);
      const std::vector<std::string> users = {bob};
      tx.pushers().enqueue(7, users, t0);
    });
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  PushDelivery delivery(std::function<GatewayOutcome(const std::string&, const std::string&)> gateway) {
    return PushDelivery(*db_, std::move(gateway), notifier_,
                        DeliveryOptions{.min_backoff = std::chrono::milliseconds(1000),
                                        .max_backoff = std::chrono::milliseconds(60'000),
                                        .max_attempts = 3,
                                        .batch = 50,
                                        .now_ms = [this] { return now_; }});
  }

  std::size_t queued() {
    return db_->read([](storage::ReadTx& tx) { return tx.pushers().due(t0 + 10'000'000, 100).size(); });
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  rooms::Notifier notifier_;
  std::int64_t now_ = t0;
};

TEST_F(DeliveryTest, DeliversEachPusherOnceWithTheSpecsBody) {
  std::vector<nlohmann::json> bodies;
  auto worker = delivery([&](const std::string& url, const std::string& body) {
    EXPECT_EQ(url, "https://gw.test/_matrix/push/v1/notify");
    bodies.push_back(nlohmann::json::parse(body));
    return GatewayOutcome{200, R"({"rejected":[]})"};
  });
  EXPECT_EQ(worker.deliver_due(), 2u);
  ASSERT_EQ(bodies.size(), 2u);
  const auto& n = bodies[0]["notification"];
  EXPECT_EQ(n["event_id"], "$e");
  EXPECT_EQ(n["room_id"], "!r:test");
  EXPECT_EQ(n["prio"], "high");
  const auto& device = n["devices"][0];
  EXPECT_EQ(device["app_id"], "app");
  EXPECT_EQ(device["pushkey_ts"], t0 / 1000);
  EXPECT_EQ(device["data"], (nlohmann::json{{"extra", 1}}));
  EXPECT_EQ(device["tweaks"], (nlohmann::json{{"highlight", true}}));
  EXPECT_EQ(queued(), 0u);
  EXPECT_EQ(worker.deliver_due(), 0u);
}

TEST_F(DeliveryTest, FailuresBackOffThenGiveUp) {
  int calls = 0;
  auto worker = delivery([&](const std::string&, const std::string&) {
    ++calls;
    return GatewayOutcome{503, ""};
  });
  EXPECT_EQ(worker.deliver_due(), 2u);
  // Not due again until the back-off (1 s, then 2 s) has passed.
  EXPECT_EQ(worker.deliver_due(), 0u);
  now_ += 1000;
  EXPECT_EQ(worker.deliver_due(), 2u);
  now_ += 1999;
  EXPECT_EQ(worker.deliver_due(), 0u);
  now_ += 1;
  EXPECT_EQ(worker.deliver_due(), 2u);
  // The third failure was the last attempt. Both pushers share the gateway, so each round asked
  // it once: the second notification waited on the first one's failure.
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(queued(), 0u);
}

TEST_F(DeliveryTest, ClientErrorsDropAndRejectedPushkeysLoseTheirPusher) {
  auto worker = delivery([&](const std::string&, const std::string& body) {
    const auto key = nlohmann::json::parse(body)["notification"]["devices"][0]["pushkey"];
    if (key == "k1") {
      return GatewayOutcome{200, R"({"rejected":["k1"]})"};
    }
    return GatewayOutcome{400, ""};
  });
  EXPECT_EQ(worker.deliver_due(), 2u);
  EXPECT_EQ(queued(), 0u);
  const auto left = db_->read([](storage::ReadTx& tx) { return tx.pushers().list(bob); });
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].pushkey, "k2");
}

TEST(GatewayUrlTest, Parses) {
  auto url = parse_gateway_url("https://push.example.org/_matrix/push/v1/notify?x=1");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "push.example.org");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->host_header, "push.example.org");
  EXPECT_EQ(url->target, "/_matrix/push/v1/notify?x=1");
  url = parse_gateway_url("http://[::1]:8080/_matrix/push/v1/notify");
  ASSERT_TRUE(url);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->host_header, "[::1]:8080");
  EXPECT_FALSE(parse_gateway_url("ftp://x/y"));
  EXPECT_FALSE(parse_gateway_url("https://host"));
  EXPECT_FALSE(parse_gateway_url("https://host:99999/x"));
  EXPECT_FALSE(parse_gateway_url("https://:80/x"));
}

}  // namespace
}  // namespace ranvier::push
