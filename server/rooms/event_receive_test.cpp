// The receive path over a real SQLite database: a room made on server "test" receives events
// built from make_join-style templates and signed by a second server, "remote".

#include "core/ed25519.hpp"
#include "core/event.hpp"
#include "rooms/errors.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/received_event.hpp"
#include "rooms/room_creation.hpp"
#include "rooms/test_drafts.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace ranvier::rooms {
namespace {

using testing::member;
using testing::message;

class TestKeys final : public KeyLookup {
 public:
  std::optional<core::VerifyKey> key(std::string_view server, std::string_view key_id, std::int64_t) override {
    auto it = keys.find({std::string(server), std::string(key_id)});
    if (it == keys.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  std::map<std::pair<std::string, std::string>, core::VerifyKey> keys;
};

class ReceiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ranvier-receive-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = storage::open_database("sqlite://" + (dir_ / "test.db").string());
    keys_.keys[{"remote", remote_key_.key_id}] = core::VerifyKey{remote_key_.pair.public_key};
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string create(const std::string& version) {
    RoomCreation request{.creator = alice,
                         .creator_member_content = {{"membership", "join"}},
                         .room_version = version,
                         .preset = "public_chat",
                         .name = "Test room"};
    version_ = core::find_room_version(version);
    return db_->write([&](storage::WriteTx& tx) { return create_room(tx, pipeline_, request); });
  }

  /// A template from the room's current frontier, signed by "remote" (the make_join flow).
  nlohmann::json remote_event(const std::string& room_id, EventDraft draft) {
    auto ev = db_->write([&](storage::WriteTx& tx) { return pipeline_.prepare(tx, room_id, draft); });
    if (version_->event_format == core::EventFormat::v1) {
      ev["event_id"] = "$" + std::to_string(++counter_) + "remote:remote";
    }
    core::sign_event(ev, *version_, "remote", remote_key_);
    return ev;
  }

  ReceiveResult receive(const nlohmann::json& pdu) {
    auto verified = verify_received(pdu, *version_, keys_);
    if (!verified.verified) {
      return verified;
    }
    auto checks = received_signature_checks("test", *version_, keys_);
    return db_->write([&](storage::WriteTx& tx) { return pipeline_.receive(tx, *verified.verified, checks); });
  }

  PersistedEvent send(const std::string& room_id, EventDraft draft) {
    return db_->write([&](storage::WriteTx& tx) { return pipeline_.send(tx, room_id, draft); });
  }

  std::vector<std::string> extremities(const std::string& room_id) {
    return db_->read([&](storage::ReadTx& tx) { return tx.rooms().forward_extremities(room_id); });
  }

  std::optional<storage::StoredEvent> stored(const std::string& event_id) {
    return db_->read([&](storage::ReadTx& tx) { return tx.events().get(event_id); });
  }

  /// Joins @bob:remote and returns the join's event ID.
  std::string join_bob(const std::string& room_id) {
    auto result = receive(remote_event(room_id, member(bob, bob, "join")));
    EXPECT_EQ(result.status, ReceiveStatus::accepted) << result.reason;
    return result.event_id;
  }

  const std::string alice = "@alice:test";
  const std::string bob = "@bob:remote";
  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  EventPipeline pipeline_{"test", core::SigningKey{"ed25519:t", core::ed25519_generate()}};
  core::SigningKey remote_key_{"ed25519:r", core::ed25519_generate()};
  TestKeys keys_;
  const core::RoomVersion* version_ = nullptr;
  int counter_ = 0;
};

TEST_F(ReceiveTest, AcceptsSignedEventsOfEveryFormat) {
  for (std::string version : {"1", "3", "6", "10", "12"}) {
    SCOPED_TRACE(version);
    auto room_id = create(version);
    auto join = join_bob(room_id);
    auto said_pdu = remote_event(room_id, message(bob, "hello from afar"));
    auto said = receive(said_pdu);
    ASSERT_EQ(said.status, ReceiveStatus::accepted) << said.reason;
    EXPECT_EQ(extremities(room_id), std::vector<std::string>{said.event_id});
    db_->read([&](storage::ReadTx& tx) {
      auto m = tx.rooms().membership(room_id, bob);
      ASSERT_TRUE(m);
      EXPECT_EQ(m->membership, storage::Membership::join);
      EXPECT_EQ(m->event_id, join);
      EXPECT_EQ(tx.rooms().current_state_event(room_id, {"m.room.member", bob}), join);
      auto timeline = tx.events().room_events(room_id, 0, tx.events().max_stream(), storage::Direction::backward, 1);
      ASSERT_EQ(timeline.size(), 1u);
      EXPECT_EQ(timeline.front().event_id, said.event_id);
    });
    // Receiving it again changes nothing.
    EXPECT_EQ(receive(said_pdu).status, ReceiveStatus::already_known);
    EXPECT_EQ(extremities(room_id), std::vector<std::string>{said.event_id});
  }
}

TEST_F(ReceiveTest, BadSignaturesAreDropped) {
  auto room_id = create("12");
  auto ev = remote_event(room_id, member(bob, bob, "join"));
  // Signed with another key under the same ID.
  auto forged = ev;
  core::SigningKey other{remote_key_.key_id, core::ed25519_generate()};
  forged.erase("signatures");
  core::sign_event(forged, *version_, "remote", other);
  auto before = db_->read([](storage::ReadTx& tx) { return tx.events().max_stream(); });
  EXPECT_EQ(receive(forged).status, ReceiveStatus::bad_signature);
  // A key nobody knows.
  keys_.keys.clear();
  EXPECT_EQ(receive(ev).status, ReceiveStatus::bad_signature);
  // Signed by the wrong server: alice's server did not sign bob's join.
  auto unsigned_by_remote = ev;
  unsigned_by_remote["signatures"].erase("remote");
  EXPECT_EQ(receive(unsigned_by_remote).status, ReceiveStatus::bad_signature);
  EXPECT_EQ(db_->read([](storage::ReadTx& tx) { return tx.events().max_stream(); }), before);
  // Malformed: no sender.
  auto malformed = ev;
  malformed.erase("sender");
  EXPECT_EQ(receive(malformed).status, ReceiveStatus::bad_format);
}

TEST_F(ReceiveTest, HashMismatchKeepsTheRedactedForm) {
  auto room_id = create("11");
  join_bob(room_id);
  auto ev = remote_event(room_id, message(bob, "original"));
  ev["content"]["body"] = "tampered";  // not covered by the signature, only by the hash
  auto verified = verify_received(ev, *version_, keys_);
  ASSERT_TRUE(verified.verified);
  EXPECT_TRUE(verified.verified->redacted);
  auto result = receive(ev);
  ASSERT_EQ(result.status, ReceiveStatus::accepted) << result.reason;
  auto row = stored(result.event_id);
  ASSERT_TRUE(row);
  auto json = nlohmann::json::parse(row->json);
  EXPECT_EQ(json["content"], nlohmann::json::object());
  EXPECT_FALSE(json.contains("unsigned"));
}

TEST_F(ReceiveTest, EventsFailingAuthAreStoredRejected) {
  auto room_id = create("12");
  join_bob(room_id);
  const auto before = extremities(room_id);
  // bob renames the room without the power to: signed correctly, refused by the auth rules.
  EventDraft rename{.type = "m.room.name", .sender = bob, .state_key = "", .content = {{"name", "mine"}}};
  EXPECT_THROW(remote_event(room_id, rename), RoomError);  // make_* refuses it up front
  // Built from a template of a message, then turned into the rename: auth against auth events fails.
  auto ev = db_->write([&](storage::WriteTx& tx) { return pipeline_.prepare(tx, room_id, message(bob, "x")); });
  ev["type"] = "m.room.name";
  ev["state_key"] = "";
  ev["content"] = {{"name", "mine"}};
  core::sign_event(ev, *version_, "remote", remote_key_);
  auto result = receive(ev);
  ASSERT_EQ(result.status, ReceiveStatus::rejected);
  EXPECT_FALSE(result.reason.empty());
  auto row = stored(result.event_id);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->rejected());
  EXPECT_EQ(extremities(room_id), before);
  db_->read([&](storage::ReadTx& tx) {
    auto name = tx.rooms().current_state_event(room_id, {"m.room.name", ""});
    EXPECT_NE(name, result.event_id);
  });
}

TEST_F(ReceiveTest, EventsAllowedBeforeButNotNowAreSoftFailed) {
  auto room_id = create("12");
  join_bob(room_id);
  // bob's message is built on the state where he is joined; alice bans him before it arrives.
  auto late = remote_event(room_id, message(bob, "too late"));
  auto ban = send(room_id, member(alice, bob, "ban"));
  auto result = receive(late);
  ASSERT_EQ(result.status, ReceiveStatus::soft_failed) << result.reason;
  auto row = stored(result.event_id);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->soft_failed);
  EXPECT_FALSE(row->rejected());
  EXPECT_EQ(extremities(room_id), std::vector<std::string>{ban.event_id});
  db_->read([&](storage::ReadTx& tx) {
    auto timeline = tx.events().room_events(room_id, 0, tx.events().max_stream(), storage::Direction::backward, 10);
    for (const auto& e : timeline) {
      EXPECT_NE(e.event_id, result.event_id);
    }
    EXPECT_EQ(tx.rooms().membership(room_id, bob)->membership, storage::Membership::ban);
  });
}

TEST_F(ReceiveTest, TwoPrevEventsResolveTheirStates) {
  auto room_id = create("12");
  join_bob(room_id);
  // Two branches: bob's message (built before alice's rename) and alice's rename.
  auto branch = remote_event(room_id, message(bob, "branch"));
  EventDraft rename{.type = "m.room.name", .sender = alice, .state_key = "", .content = {{"name", "Renamed"}}};
  auto renamed = send(room_id, rename);
  auto side = receive(branch);
  ASSERT_EQ(side.status, ReceiveStatus::accepted) << side.reason;
  auto fork = extremities(room_id);
  EXPECT_EQ(fork.size(), 2u);
  // The room's current state is still the resolution of both branches.
  db_->read([&](storage::ReadTx& tx) {
    EXPECT_EQ(tx.rooms().current_state_event(room_id, {"m.room.name", ""}), renamed.event_id);
  });
  // bob's next event cites both: the state before it is their resolution.
  auto merge = remote_event(room_id, message(bob, "merge"));
  EXPECT_EQ(merge["prev_events"].size(), 2u);
  auto merged = receive(merge);
  ASSERT_EQ(merged.status, ReceiveStatus::accepted) << merged.reason;
  EXPECT_EQ(extremities(room_id), std::vector<std::string>{merged.event_id});
  db_->read([&](storage::ReadTx& tx) {
    auto group = tx.state().event_state_group(merged.event_id);
    ASSERT_TRUE(group);
    auto state = tx.state().state_map(*group);
    storage::StateKey name_key{"m.room.name", ""};
    EXPECT_EQ(state[name_key], renamed.event_id);
    EXPECT_TRUE(state.contains({"m.room.member", bob}));
    EXPECT_EQ(state, tx.rooms().current_state(room_id));
  });
}

TEST_F(ReceiveTest, UnknownPrevEventsAreReportedNotStored) {
  auto room_id = create("12");
  join_bob(room_id);
  auto ev = db_->write([&](storage::WriteTx& tx) { return pipeline_.prepare(tx, room_id, message(bob, "x")); });
  ev["prev_events"] = {"$unknownunknownunknownunknownunknownunknown0"};
  core::sign_event(ev, *version_, "remote", remote_key_);
  auto before = db_->read([](storage::ReadTx& tx) { return tx.events().max_stream(); });
  auto result = receive(ev);
  ASSERT_EQ(result.status, ReceiveStatus::missing_prev_events) << result.reason;
  EXPECT_EQ(result.missing, std::vector<std::string>{"$unknownunknownunknownunknownunknownunknown0"});
  EXPECT_EQ(db_->read([](storage::ReadTx& tx) { return tx.events().max_stream(); }), before);
  // Auth events are checked for first.
  ev["auth_events"].push_back("$" + std::string(43, 'm'));
  core::sign_event(ev, *version_, "remote", remote_key_);
  auto missing_auth = receive(ev);
  EXPECT_EQ(missing_auth.status, ReceiveStatus::missing_auth_events) << missing_auth.reason;
}

TEST_F(ReceiveTest, OutliersStayOutOfTheTimeline) {
  auto room_id = create("12");
  auto ev = remote_event(room_id, member(bob, bob, "join"));
  auto verified = verify_received(ev, *version_, keys_);
  ASSERT_TRUE(verified.verified);
  auto checks = received_signature_checks("test", *version_, keys_);
  auto result =
      db_->write([&](storage::WriteTx& tx) { return pipeline_.store_outlier(tx, *verified.verified, checks); });
  ASSERT_EQ(result.status, ReceiveStatus::accepted) << result.reason;
  auto row = stored(result.event_id);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->outlier);
  db_->read([&](storage::ReadTx& tx) {
    EXPECT_FALSE(tx.rooms().membership(room_id, bob));
    EXPECT_FALSE(tx.state().event_state_group(result.event_id));
  });
  // Its state is unknown, so an event on top of it waits for that state.
  auto on_top = db_->write([&](storage::WriteTx& tx) { return pipeline_.prepare(tx, room_id, message(alice, "x")); });
  on_top["prev_events"] = {result.event_id};
  keys_.keys[{"test", pipeline_.signing_key().key_id}] = core::VerifyKey{pipeline_.signing_key().pair.public_key};
  core::sign_event(on_top, *version_, "test", pipeline_.signing_key());
  EXPECT_EQ(receive(on_top).status, ReceiveStatus::missing_prev_events);
}

TEST_F(ReceiveTest, OutliersStoredTogetherTakeAuthEventsFirst) {
  auto room_id = create("12");
  auto join = remote_event(room_id, member(bob, bob, "join"));
  const auto join_id = core::event_id_of(join, *version_).value();
  // Bob speaks on the strength of his join, listed before it and (wrongly) with a lower depth:
  // only a second round stores it.
  auto said = join;
  said.erase("state_key");
  said["type"] = "m.room.message";
  said["content"] = {{"body", "hi"}};
  said["depth"] = 1;
  const auto power = db_->read(
      [&](storage::ReadTx& tx) { return tx.rooms().current_state_event(room_id, {"m.room.power_levels", ""}); });
  said["auth_events"] = {power.value(), join_id};
  for (const char* field : {"hashes", "signatures"}) {
    said.erase(field);
  }
  core::sign_event(said, *version_, "remote", remote_key_);
  // Carol never joined: rejected, yet stored.
  auto intruder = said;
  intruder["sender"] = "@carol:remote";
  intruder["auth_events"] = {power.value()};
  core::sign_event(intruder, *version_, "remote", remote_key_);
  // An auth event nobody has: left out.
  auto orphan = said;
  orphan["content"] = {{"body", "lost"}};
  orphan["auth_events"].push_back("$" + std::string(43, 'q'));
  core::sign_event(orphan, *version_, "remote", remote_key_);

  std::vector<VerifiedPdu> batch;
  for (const auto* pdu : {&said, &intruder, &join, &orphan, &join}) {
    auto verified = verify_received(*pdu, *version_, keys_);
    ASSERT_TRUE(verified.verified) << verified.reason;
    batch.push_back(*verified.verified);
  }
  auto checks = received_signature_checks("test", *version_, keys_);
  const auto results = db_->write([&](storage::WriteTx& tx) { return pipeline_.store_outliers(tx, batch, checks); });
  ASSERT_EQ(results.size(), batch.size());
  EXPECT_EQ(results[0].status, ReceiveStatus::accepted) << results[0].reason;
  EXPECT_EQ(results[1].status, ReceiveStatus::rejected);
  EXPECT_EQ(results[2].status, ReceiveStatus::accepted) << results[2].reason;
  EXPECT_EQ(results[3].status, ReceiveStatus::missing_auth_events);
  EXPECT_EQ(results[3].missing, std::vector<std::string>{"$" + std::string(43, 'q')});
  EXPECT_EQ(results[4].status, ReceiveStatus::already_known);
  EXPECT_LT(results[2].stream, results[0].stream);
  for (std::size_t i : {0u, 1u, 2u}) {
    auto row = stored(results[i].event_id);
    ASSERT_TRUE(row) << i;
    EXPECT_TRUE(row->outlier);
    EXPECT_EQ(row->stream, results[i].stream);
    EXPECT_EQ(row->rejected(), i == 1);
  }
  EXPECT_FALSE(stored(results[3].event_id));
  // Stored before: known, nothing written again.
  const auto again = db_->write([&](storage::WriteTx& tx) { return pipeline_.store_outliers(tx, batch, checks); });
  EXPECT_EQ(again[0].status, ReceiveStatus::already_known);
  EXPECT_EQ(again[3].status, ReceiveStatus::missing_auth_events);
}

TEST_F(ReceiveTest, HistoryIsStoredBelowZeroWithoutTouchingThePresent) {
  auto room_id = create("12");
  // Bob's join, as history: judged by the state before it, given a state group, but neither an
  // extremity nor part of the current state.
  auto join_pdu = remote_event(room_id, member(bob, bob, "join"));
  auto verified = verify_received(join_pdu, *version_, keys_);
  ASSERT_TRUE(verified.verified);
  const auto before = extremities(room_id);
  auto checks = received_signature_checks("test", *version_, keys_);
  auto history = [&](const VerifiedPdu& pdu, const std::vector<std::string>* state_ids = nullptr) {
    return db_->write([&](storage::WriteTx& tx) { return pipeline_.receive_history(tx, pdu, checks, state_ids); });
  };
  auto result = history(*verified.verified);
  ASSERT_EQ(result.status, ReceiveStatus::accepted) << result.reason;
  EXPECT_LT(result.stream, 0);
  EXPECT_EQ(extremities(room_id), before);
  db_->read([&](storage::ReadTx& tx) {
    EXPECT_FALSE(tx.rooms().membership(room_id, bob));
    EXPECT_FALSE(tx.rooms().current_state_event(room_id, {"m.room.member", bob}));
    auto group = tx.state().event_state_group(result.event_id);
    ASSERT_TRUE(group);
    EXPECT_EQ(tx.state().state_map(*group).at({"m.room.member", bob}), result.event_id);
    // /sync, which counts from zero up, never sees it.
    for (const auto& event :
         tx.events().room_events(room_id, 0, tx.events().max_stream(), storage::Direction::forward, 100)) {
      EXPECT_NE(event.event_id, result.event_id);
    }
  });
  EXPECT_EQ(history(*verified.verified).status, ReceiveStatus::already_known);

  // A later state event of that history tells clients what it replaced, as live ones do.
  auto renamed_draft = member(bob, bob, "join");
  renamed_draft.content["displayname"] = "Bob";
  auto renamed = db_->write([&](storage::WriteTx& tx) { return pipeline_.prepare(tx, room_id, renamed_draft); });
  renamed["prev_events"] = {result.event_id};
  core::sign_event(renamed, *version_, "remote", remote_key_);
  auto renamed_checked = verify_received(renamed, *version_, keys_);
  ASSERT_TRUE(renamed_checked.verified);
  auto renamed_result = history(*renamed_checked.verified);
  ASSERT_EQ(renamed_result.status, ReceiveStatus::accepted) << renamed_result.reason;
  auto renamed_row = stored(renamed_result.event_id);
  ASSERT_TRUE(renamed_row);
  auto kept = nlohmann::json::parse(renamed_row->json);
  EXPECT_EQ(kept["unsigned"]["replaces_state"], result.event_id);
  EXPECT_EQ(kept["unsigned"]["prev_content"]["membership"], "join");

  // An event whose prev events are unknown waits for the state before it, then takes it.
  auto ev = db_->write([&](storage::WriteTx& tx) { return pipeline_.prepare(tx, room_id, message(alice, "old")); });
  const std::string unknown = "$" + std::string(43, 'u');
  ev["prev_events"] = {unknown};
  keys_.keys[{"test", pipeline_.signing_key().key_id}] = core::VerifyKey{pipeline_.signing_key().pair.public_key};
  core::sign_event(ev, *version_, "test", pipeline_.signing_key());
  auto old = verify_received(ev, *version_, keys_);
  ASSERT_TRUE(old.verified);
  auto waiting = history(*old.verified);
  ASSERT_EQ(waiting.status, ReceiveStatus::missing_prev_events) << waiting.reason;
  EXPECT_EQ(waiting.missing, std::vector<std::string>{unknown});
  auto state_ids = db_->read([&](storage::ReadTx& tx) {
    std::vector<std::string> ids;
    for (const auto& [key, id] : tx.rooms().current_state(room_id)) {
      ids.push_back(id);
    }
    return ids;
  });
  auto placed = history(*old.verified, &state_ids);
  ASSERT_EQ(placed.status, ReceiveStatus::accepted) << placed.reason;
  // History now reaches back to the unknown event: that is where backfill goes on.
  EXPECT_EQ(db_->read([&](storage::ReadTx& tx) { return tx.rooms().backward_extremities(room_id); }),
            std::vector<std::string>{unknown});
}

TEST_F(ReceiveTest, AnOutlierReceivedLiveTakesItsPlaceInTheTimeline) {
  auto room_id = create("12");
  auto ev = remote_event(room_id, member(bob, bob, "join"));
  auto verified = verify_received(ev, *version_, keys_);
  ASSERT_TRUE(verified.verified);
  auto checks = received_signature_checks("test", *version_, keys_);
  auto outlier =
      db_->write([&](storage::WriteTx& tx) { return pipeline_.store_outlier(tx, *verified.verified, checks); });
  ASSERT_EQ(outlier.status, ReceiveStatus::accepted) << outlier.reason;
  const auto position = stored(outlier.event_id)->stream;
  // The same event through /send: judged like any live event, then promoted, not refused as known.
  auto live = receive(ev);
  ASSERT_EQ(live.status, ReceiveStatus::accepted) << live.reason;
  EXPECT_EQ(live.stream, position);
  auto row = stored(outlier.event_id);
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->outlier);
  EXPECT_EQ(extremities(room_id), std::vector<std::string>{outlier.event_id});
  db_->read([&](storage::ReadTx& tx) {
    auto membership = tx.rooms().membership(room_id, bob);
    ASSERT_TRUE(membership);
    EXPECT_EQ(membership->membership, storage::Membership::join);
    EXPECT_TRUE(tx.state().event_state_group(outlier.event_id));
    auto timeline = tx.events().room_events(room_id, 0, tx.events().max_stream(), storage::Direction::backward, 1);
    ASSERT_EQ(timeline.size(), 1U);
    EXPECT_EQ(timeline[0].event_id, outlier.event_id);
  });
  EXPECT_EQ(receive(ev).status, ReceiveStatus::already_known);
}

}  // namespace
}  // namespace ranvier::rooms
