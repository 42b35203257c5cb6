// The pipeline over a real SQLite database: rooms of every version are created, events pass
// or fail authorization, and what is stored (state groups, current state, frontier,
// memberships) follows the DAG.

#include "rooms/event_pipeline.hpp"

#include "core/room_version.hpp"
#include "rooms/errors.hpp"
#include "rooms/room_creation.hpp"
#include "rooms/test_drafts.hpp"
#include "rooms/test_room_database.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

namespace ranvier::rooms {
namespace {

using testing::member;
using testing::message;

class PipelineTest : public testing::RoomDatabaseTest {
 protected:
  std::string create(const std::string& version, const std::string& preset = "private_chat",
                     std::vector<std::string> invite = {}) {
    return make_room({.creator = alice,
                      .creator_member_content = {{"membership", "join"}, {"displayname", "Alice"}},
                      .room_version = version,
                      .preset = preset,
                      .name = "Test room",
                      .invite = std::move(invite)});
  }

  const std::string alice = "@alice:test";
  const std::string bob = "@bob:test";
};

TEST_F(PipelineTest, CreatesRoomsOfEveryVersion) {
  for (const auto& version : core::known_room_versions()) {
    SCOPED_TRACE(std::string(version.id));
    auto room_id = create(std::string(version.id));
    db_->read([&](storage::ReadTx& tx) {
      auto room = tx.rooms().get(room_id);
      ASSERT_TRUE(room);
      EXPECT_EQ(room->room_version, version.id);
      if (version.room_id_is_create_hash) {
        EXPECT_EQ(room_id.find(':'), std::string::npos);
      } else {
        EXPECT_TRUE(room_id.ends_with(":test"));
      }
      auto state = tx.rooms().current_state(room_id);
      EXPECT_TRUE(state.contains({"m.room.create", ""}));
      EXPECT_TRUE(state.contains({"m.room.power_levels", ""}));
      EXPECT_TRUE(state.contains({"m.room.join_rules", ""}));
      EXPECT_TRUE(state.contains({"m.room.name", ""}));
      EXPECT_EQ(tx.rooms().forward_extremities(room_id).size(), 1u);
      auto joined = tx.rooms().membership(room_id, alice);
      ASSERT_TRUE(joined);
      EXPECT_EQ(joined->membership, storage::Membership::join);
      // The state group of the newest event is the current state.
      auto group = tx.state().event_state_group(tx.rooms().forward_extremities(room_id).front());
      ASSERT_TRUE(group);
      EXPECT_EQ(tx.state().state_map(*group), state);
    });
    auto sent = send(room_id, message(alice, "hello"));
    EXPECT_EQ(sent.room_id, room_id);
    EXPECT_TRUE(sent.event_id.starts_with("$"));
  }
}

TEST_F(PipelineTest, UnauthorizedEventsLeaveNothingBehind) {
  auto room_id = create("12");
  auto before = db_->read([](storage::ReadTx& tx) { return tx.events().max_stream(); });
  try {
    send(room_id, message(bob, "I am not in the room"));
    FAIL() << "bob's message was accepted";
  } catch (const RoomError& e) {
    EXPECT_EQ(e.kind(), RoomErrorKind::forbidden);
  }
  // bob joins an invite-only room uninvited: refused too.
  EXPECT_THROW(send(room_id, member(bob, bob, "join")), RoomError);
  EXPECT_EQ(db_->read([](storage::ReadTx& tx) { return tx.events().max_stream(); }), before);
}

TEST_F(PipelineTest, MembershipFollowsInviteJoinLeave) {
  for (std::string version : {"1", "6", "11", "12"}) {
    SCOPED_TRACE(version);
    auto room_id = create(version);
    send(room_id, member(alice, bob, "invite"));
    send(room_id, member(bob, bob, "join"));
    send(room_id, message(bob, "hi"));
    auto left = send(room_id, member(bob, bob, "leave"));
    EXPECT_EQ(left.pdu["unsigned"]["prev_content"]["membership"], "join");
    db_->read([&](storage::ReadTx& tx) {
      auto m = tx.rooms().membership(room_id, bob);
      ASSERT_TRUE(m);
      EXPECT_EQ(m->membership, storage::Membership::leave);
      EXPECT_EQ(m->event_id, left.event_id);
      EXPECT_EQ(tx.rooms().members(room_id, storage::Membership::join).size(), 1u);
    });
    EXPECT_THROW(send(room_id, message(bob, "gone")), RoomError);
  }
}

TEST_F(PipelineTest, PowerLevelsGuardState) {
  auto room_id = create("12", "public_chat");
  send(room_id, member(bob, bob, "join"));
  EventDraft rename{.type = "m.room.name", .sender = bob, .state_key = "", .content = {{"name", "mine"}}};
  EXPECT_THROW(send(room_id, rename), RoomError);
  rename.sender = alice;
  auto renamed = send(room_id, rename);
  db_->read([&](storage::ReadTx& tx) {
    EXPECT_EQ(tx.rooms().current_state_event(room_id, {"m.room.name", ""}), renamed.event_id);
  });
}

TEST_F(PipelineTest, OversizedEventsAreRefused) {
  auto room_id = create("12");
  try {
    send(room_id, message(alice, std::string(70000, 'x')));
    FAIL() << "accepted an oversized event";
  } catch (const RoomError& e) {
    EXPECT_EQ(e.kind(), RoomErrorKind::too_large);
  }
}

TEST_F(PipelineTest, RedactionsMarkTheirTarget) {
  auto room_id = create("11");
  auto target = send(room_id, message(alice, "oops"));
  EventDraft redaction{.type = "m.room.redaction", .sender = alice, .content = {{"reason", "typo"}},
                       .redacts = target.event_id};
  auto redacted = send(room_id, redaction);
  EXPECT_EQ(redacted.pdu["content"]["redacts"], target.event_id);
  db_->read([&](storage::ReadTx& tx) { EXPECT_EQ(tx.events().get(target.event_id)->redacted_by, redacted.event_id); });
}

TEST_F(PipelineTest, IdenticalCreateEventsStillMakeTwoRooms) {
  // Same creator, content and millisecond: a v12 room ID (the create event's hash) would repeat.
  EventDraft create{.type = "m.room.create", .sender = alice, .state_key = "",
                    .content = {{"room_version", "12"}}, .origin_server_ts = 1'700'000'000'000};
  auto first = db_->write([&](storage::WriteTx& tx) { return pipeline_.create(tx, create); });
  auto second = db_->write([&](storage::WriteTx& tx) { return pipeline_.create(tx, create); });
  EXPECT_NE(first.room_id, second.room_id);
  EXPECT_EQ(second.pdu["origin_server_ts"], 1'700'000'000'001);
}

TEST_F(PipelineTest, CreationRefusesWhatItCannotDo) {
  EXPECT_THROW(create("99"), RoomError);
  EXPECT_THROW(create("12", "secret_chat"), RoomError);
  RoomCreation request{.creator = alice,
                       .creator_member_content = {{"membership", "join"}},
                       .room_version = "10",
                       .power_level_content_override = nlohmann::json{{"users", {{alice, 0}}}},
                       .name = "cannot"};
  try {
    make_room(request);
    FAIL() << "created a room whose creator cannot name it";
  } catch (const RoomError& e) {
    EXPECT_EQ(e.kind(), RoomErrorKind::invalid_room_state);
  }
  EXPECT_EQ(db_->read([](storage::ReadTx& tx) { return tx.events().max_stream(); }), 0);
}

}  // namespace
}  // namespace ranvier::rooms
