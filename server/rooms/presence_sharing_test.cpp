// Idle users' offline presence queued for other servers, over a real SQLite database: a room
// of @alice:test shared with @bob:remote.

#include "rooms/presence_sharing.hpp"

#include "rooms/test_room_database.hpp"

#include <gtest/gtest.h>

namespace ranvier::rooms {
namespace {

using namespace std::chrono_literals;

class PresenceSharingTest : public testing::RoomDatabaseTest {
 protected:
  void SetUp() override {
    RoomDatabaseTest::SetUp();
    room_id_ = make_room({.creator = "@alice:test", .creator_member_content = {{"membership", "join"}},
                          .room_version = "12", .preset = "public_chat"});
    // The membership row is all that decides where presence goes.
    db_->write([&](storage::WriteTx& tx) {
      tx.rooms().set_membership({room_id_, "@bob:remote", storage::Membership::join, "$bob-join", 1});
    });
  }

  std::vector<nlohmann::json> queued_edus(const std::string& destination) {
    auto items = db_->read([&](storage::ReadTx& tx) { return tx.federation_outbox().pending(destination, 50, 100); });
    std::vector<nlohmann::json> edus;
    for (const auto& item : items) {
      if (item.kind == storage::OutboundKind::edu) {
        edus.push_back(nlohmann::json::parse(item.body));
      }
    }
    return edus;
  }

  std::string room_id_;
};

TEST_F(PresenceSharingTest, IdleLocalUsersGoOfflineForTheServersSharingARoom) {
  Presence presence(5min);
  const std::int64_t t0 = 1'000'000;
  presence.synced("@alice:test", "online", t0);
  presence.set("@bob:remote", "online", std::nullopt, t0);
  const auto gone = presence.expire(t0 + 300'000);
  ASSERT_EQ(gone.size(), 2U);
  // Bob is remote: his server speaks for him. Alice's offline goes to bob's server.
  EXPECT_EQ(queue_presence_of(*db_, presence, gone, "test", t0 + 300'000), 1U);
  const auto edus = queued_edus("remote");
  ASSERT_EQ(edus.size(), 1U);
  EXPECT_EQ(edus[0]["edu_type"], "m.presence");
  const auto& push = edus[0]["content"]["push"];
  ASSERT_EQ(push.size(), 1U);
  EXPECT_EQ(push[0]["user_id"], "@alice:test");
  EXPECT_EQ(push[0]["presence"], "offline");
  EXPECT_EQ(push[0]["last_active_ago"], 300'000);
  EXPECT_EQ(push[0]["currently_active"], false);
  EXPECT_TRUE(queued_edus("test").empty());
}

TEST_F(PresenceSharingTest, UsersSharingNoRoomWithOtherServersQueueNothing) {
  Presence presence(5min);
  presence.synced("@carol:test", "online", 0);
  EXPECT_EQ(queue_presence_of(*db_, presence, presence.expire(300'000), "test", 300'000), 0U);
  EXPECT_TRUE(queued_edus("remote").empty());
}

TEST(PresencePushEntry, CarriesTheRequiredFields) {
  PresenceState never_seen;
  EXPECT_EQ(presence_push_entry("@a:x", never_seen, 5),
            (nlohmann::json{{"user_id", "@a:x"}, {"presence", "offline"}, {"last_active_ago", 0},
                            {"currently_active", false}}));
  PresenceState online{.presence = "online", .status_msg = "here", .last_active_ts = 10, .position = 1};
  EXPECT_EQ(presence_push_entry("@a:x", online, 15),
            (nlohmann::json{{"user_id", "@a:x"}, {"presence", "online"}, {"last_active_ago", 5},
                            {"currently_active", true}, {"status_msg", "here"}}));
}

}  // namespace
}  // namespace ranvier::rooms
