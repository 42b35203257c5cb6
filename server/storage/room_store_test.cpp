// RoomStore on every backend: the room registry and directory, forward extremities, current
// state, memberships, aliases and client transaction IDs.

#include "storage/storage_test_fixture.hpp"

#include <stdexcept>

namespace ranvier::storage::test {
namespace {

Room room(std::string room_id, bool is_public = false) {
  return Room{.room_id = std::move(room_id),
              .room_version = "12",
              .created_ts = t0,
              .creator = "@alice:test",
              .is_public = is_public};
}

RoomMember member(std::string room_id, std::string user_id, Membership membership,
                  std::int64_t stream) {
  return RoomMember{.room_id = std::move(room_id),
                    .user_id = std::move(user_id),
                    .membership = membership,
                    .event_id = "$m" + std::to_string(stream),
                    .stream = stream};
}

ErrorKind write_error_kind(Database& db, const std::function<void(WriteTx&)>& body) {
  try {
    db.write(body);
  } catch (const StorageError& error) {
    return error.kind();
  }
  ADD_FAILURE() << "no StorageError";
  return ErrorKind::misuse;
}

TEST_P(StorageTest, RoomsAndTheDirectory) {
  auto db = open();
  db->write([](WriteTx& tx) {
    EXPECT_EQ(tx.rooms().create(room("!b:test", true)), CreateResult::created);
    EXPECT_EQ(tx.rooms().create(room("!a:test")), CreateResult::created);
    EXPECT_EQ(tx.rooms().create(room("!c:test", true)), CreateResult::created);
    Room taken = room("!a:test", true);
    taken.room_version = "1";
    EXPECT_EQ(tx.rooms().create(taken), CreateResult::exists);
    EXPECT_TRUE(tx.rooms().lock("!a:test"));
    EXPECT_FALSE(tx.rooms().lock("!zz:test"));
    // The lock reads the row; reads after it follow the transaction's own changes.
    EXPECT_EQ(tx.rooms().get("!a:test"), room("!a:test"));
    EXPECT_TRUE(tx.rooms().set_public("!a:test", true));
    EXPECT_EQ(tx.rooms().get("!a:test"), room("!a:test", true));
    EXPECT_TRUE(tx.rooms().set_public("!a:test", false));
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.rooms().get("!a:test"), room("!a:test"));
    EXPECT_EQ(tx.rooms().get("!zz:test"), std::nullopt);
    auto page = tx.rooms().public_rooms("", 1);
    ASSERT_EQ(page.size(), 1u);
    EXPECT_EQ(page[0].room_id, "!b:test");
    auto rest = tx.rooms().public_rooms(page[0].room_id, 10);
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].room_id, "!c:test");
  });
  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.rooms().set_public("!a:test", true));
    EXPECT_TRUE(tx.rooms().set_public("!b:test", false));
    EXPECT_FALSE(tx.rooms().set_public("!zz:test", true));
  });
  auto listed = db->read([](ReadTx& tx) { return tx.rooms().public_rooms("", 10); });
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].room_id, "!a:test");
  EXPECT_EQ(listed[1].room_id, "!c:test");
}

TEST_P(StorageTest, ForwardExtremitiesFollowTheDag) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(room("!r:test"));
    tx.rooms().add_forward_extremity("!r:test", "$create", {});
    const std::vector<std::string> create{"$create"};
    tx.rooms().add_forward_extremity("!r:test", "$a", create);
    // A fork: two events on the same parent.
    tx.rooms().add_forward_extremity("!r:test", "$b1", std::vector<std::string>{"$a"});
    tx.rooms().add_forward_extremity("!r:test", "$b2", std::vector<std::string>{"$a"});
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!r:test"); }),
            (std::vector<std::string>{"$b1", "$b2"}));
  db->write([](WriteTx& tx) {
    // The merge names both, and one unknown prev event, which is simply not an extremity.
    tx.rooms().add_forward_extremity("!r:test", "$merge",
                                     std::vector<std::string>{"$b1", "$b2", "$unknown"});
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!r:test"); }),
            (std::vector<std::string>{"$merge"}));
  db->write([](WriteTx& tx) {
    tx.rooms().set_forward_extremities("!r:test", std::vector<std::string>{"$x", "$y"});
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!r:test"); }),
            (std::vector<std::string>{"$x", "$y"}));
  EXPECT_TRUE(
      db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!zz:test"); }).empty());
  EXPECT_EQ(write_error_kind(
                *db, [](WriteTx& tx) { tx.rooms().add_forward_extremity("!zz:test", "$e", {}); }),
            ErrorKind::constraint);
}

// Writes whose outcome nobody reads may be queued (Session::execute_later: PostgreSQL's
// pipeline) and their replies collected with the next statement or the commit.
TEST_P(StorageTest, QueuedWritesAreReadBackInTheirTransactionAndAFailedOneUndoesThemAll) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(room("!r:test"));
    tx.rooms().add_forward_extremity("!r:test", "$a", {});
    EXPECT_EQ(tx.rooms().forward_extremities("!r:test"), std::vector<std::string>{"$a"});
  });
  // The failing write (an unknown room breaks the foreign key) is followed by writes of
  // statements this connection has not prepared before: the error still surfaces with its
  // kind, none of the transaction stays, and the same connection serves the next one.
  EXPECT_EQ(write_error_kind(*db,
                             [](WriteTx& tx) {
                               tx.rooms().add_forward_extremity("!r:test", "$b", std::vector<std::string>{"$a"});
                               tx.rooms().add_forward_extremity("!zz:test", "$e", {});
                               tx.rooms().extend_history("!r:test", "$b", std::vector<std::string>{"$a"});
                               tx.rooms().forward_extremities("!r:test");
                             }),
            ErrorKind::constraint);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!r:test"); }),
            std::vector<std::string>{"$a"});
  db->write([](WriteTx& tx) {
    tx.rooms().extend_history("!r:test", "$b", std::vector<std::string>{"$a"});
    tx.rooms().add_forward_extremity("!r:test", "$b", std::vector<std::string>{"$a"});
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!r:test"); }),
            std::vector<std::string>{"$b"});
  // The same failure with nothing read after it: the body gives up with an error of its own
  // (a handler refusing the request), so the ROLLBACK is what collects the queued writes. It
  // must still run, and leave the connection fit for the next transaction.
  EXPECT_THROW(db->write([](WriteTx& tx) {
    tx.rooms().add_forward_extremity("!zz:test", "$e", {});
    throw std::runtime_error("the handler refuses");
  }),
               std::exception);
  db->write([](WriteTx& tx) { tx.rooms().add_forward_extremity("!r:test", "$c", std::vector<std::string>{"$b"}); });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!r:test"); }),
            std::vector<std::string>{"$c"});
}

TEST_P(StorageTest, CurrentStateAppliesDeltas) {
  auto db = open();
  const StateKey create{"m.room.create", ""};
  const StateKey alice{"m.room.member", "@alice:test"};
  const StateKey bob{"m.room.member", "@bob:test"};
  db->write([&](WriteTx& tx) {
    tx.rooms().create(room("!r:test"));
    tx.rooms().apply_state_delta("!r:test", {{create, "$create"}, {alice, "$join_a"}});
    tx.rooms().apply_state_delta("!r:test", {{bob, "$join_b"}, {alice, "$leave_a"}});
  });
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.rooms().current_state("!r:test"),
              (StateMap{{create, "$create"}, {alice, "$leave_a"}, {bob, "$join_b"}}));
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", bob), "$join_b");
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", {"m.room.topic", ""}), std::nullopt);
    EXPECT_EQ(tx.rooms().current_state_of_type("!r:test", "m.room.member"),
              (StateMap{{alice, "$leave_a"}, {bob, "$join_b"}}));
    EXPECT_TRUE(tx.rooms().current_state("!zz:test").empty());
  });
  db->write([&](WriteTx& tx) {
    tx.rooms().apply_state_delta("!r:test",
                                 {{bob, std::nullopt}, {{"m.room.topic", "x"}, std::nullopt}});
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().current_state("!r:test").size(); }), 2u);
  EXPECT_EQ(write_error_kind(*db,
                             [&](WriteTx& tx) {
                               tx.rooms().apply_state_delta("!zz:test", {{create, "$c"}});
                             }),
            ErrorKind::constraint);
}

TEST_P(StorageTest, CurrentStateLookupsFollowTheTransactionsOwnChanges) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(room("!r:test"));
    const StateKey topic{"m.room.topic", ""};
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", topic), std::nullopt);
    tx.rooms().apply_state_delta("!r:test", StateDelta{{topic, "$t1"}});
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", topic), "$t1");
    tx.rooms().apply_state_delta("!r:test", StateDelta{{topic, "$t2"}, {StateKey{"m.room.name", ""}, "$n"}});
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", topic), "$t2");
    tx.rooms().apply_state_delta("!r:test", StateDelta{{topic, std::nullopt}});
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", topic), std::nullopt);
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", StateKey{"m.room.name", ""}), "$n");
    tx.rooms().apply_state_delta("!r:test", StateDelta{{StateKey{"m.room.member", "@a:test"}, "$m"}});
  });
  // Several keys in one read; keys without an event are left out, in a fresh transaction and
  // mixed with keys looked up before.
  db->read([](ReadTx& tx) {
    const std::vector<StateKey> keys{{"m.room.topic", ""}, {"m.room.name", ""}, {"m.room.member", "@a:test"}};
    EXPECT_EQ(tx.rooms().current_state_event("!r:test", keys[1]), "$n");
    const StateMap expected{{keys[1], "$n"}, {keys[2], "$m"}};
    EXPECT_EQ(tx.rooms().current_state_events("!r:test", keys), expected);
    EXPECT_EQ(tx.rooms().current_state_events("!r:test", keys), expected);
    EXPECT_TRUE(tx.rooms().current_state_events("!other:test", keys).empty());
  });
}

TEST_P(StorageTest, MembershipsByUserAndByRoom) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(room("!a:test"));
    tx.rooms().create(room("!b:test"));
    tx.rooms().set_membership(member("!a:test", "@alice:test", Membership::join, 1));
    tx.rooms().set_membership(member("!b:test", "@alice:test", Membership::invite, 2));
    tx.rooms().set_membership(member("!a:test", "@bob:test", Membership::join, 3));
    tx.rooms().set_membership(member("!a:test", "@carol:test", Membership::ban, 4));
    // Replacing: the invite is accepted.
    tx.rooms().set_membership(member("!b:test", "@alice:test", Membership::join, 5));
    tx.rooms().set_membership(member("!a:test", "@bob:test", Membership::leave, 6));
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.rooms().rooms_for_user("@alice:test", Membership::join),
              (std::vector<RoomMember>{member("!a:test", "@alice:test", Membership::join, 1),
                                       member("!b:test", "@alice:test", Membership::join, 5)}));
    EXPECT_TRUE(tx.rooms().rooms_for_user("@alice:test", Membership::invite).empty());
    EXPECT_EQ(tx.rooms().members("!a:test", Membership::join),
              (std::vector<RoomMember>{member("!a:test", "@alice:test", Membership::join, 1)}));
    EXPECT_EQ(tx.rooms().membership("!a:test", "@bob:test"),
              member("!a:test", "@bob:test", Membership::leave, 6));
    EXPECT_EQ(tx.rooms().membership("!a:test", "@nobody:test"), std::nullopt);
    EXPECT_EQ(tx.rooms().members("!a:test", Membership::ban).size(), 1u);
  });
  db->write([](WriteTx& tx) {
    tx.rooms().set_membership(member("!a:test", "@dan:remote.test:8448", Membership::join, 7));
    tx.rooms().set_membership(member("!a:test", "@erin:remote.test:8448", Membership::join, 8));
    tx.rooms().set_membership(member("!a:test", "@frank:banned.test", Membership::ban, 9));
  });
  db->read([](ReadTx& tx) {
    // Servers of joined members only, each once, with ports kept.
    EXPECT_EQ(tx.rooms().joined_servers("!a:test"), (std::vector<std::string>{"remote.test:8448", "test"}));
    EXPECT_TRUE(tx.rooms().joined_servers("!none:test").empty());
  });
  EXPECT_EQ(write_error_kind(*db,
                             [](WriteTx& tx) {
                               tx.rooms().set_membership(
                                   member("!zz:test", "@alice:test", Membership::join, 9));
                             }),
            ErrorKind::constraint);
}

TEST_P(StorageTest, MembershipsSetTogetherReplaceAndClearForgotten) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(room("!a:test"));
    tx.rooms().create(room("!b:test"));
    tx.rooms().set_membership(member("!a:test", "@carol:test", Membership::leave, 1));
    ASSERT_TRUE(tx.rooms().forget("!a:test", "@carol:test"));
    const std::vector<RoomMember> members{member("!a:test", "@alice:test", Membership::invite, 2),
                                          member("!a:test", "@bob:test", Membership::join, 3),
                                          member("!b:test", "@alice:test", Membership::ban, 4),
                                          member("!a:test", "@carol:test", Membership::join, 5),
                                          member("!a:test", "@alice:test", Membership::join, 6)};
    tx.rooms().set_memberships(members);
    tx.rooms().set_memberships({});
  });
  db->read([](ReadTx& tx) {
    // The later of alice's two rows in !a counts; carol's rejoin is no longer forgotten.
    EXPECT_EQ(tx.rooms().members("!a:test", Membership::join),
              (std::vector<RoomMember>{member("!a:test", "@alice:test", Membership::join, 6),
                                       member("!a:test", "@bob:test", Membership::join, 3),
                                       member("!a:test", "@carol:test", Membership::join, 5)}));
    EXPECT_EQ(tx.rooms().membership("!b:test", "@alice:test"), member("!b:test", "@alice:test", Membership::ban, 4));
  });
  const std::vector<RoomMember> unknown_room{member("!a:test", "@dan:test", Membership::join, 7),
                                             member("!zz:test", "@dan:test", Membership::join, 8)};
  EXPECT_EQ(write_error_kind(*db, [&](WriteTx& tx) { tx.rooms().set_memberships(unknown_room); }),
            ErrorKind::constraint);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().membership("!a:test", "@dan:test"); }), std::nullopt);
}

TEST_P(StorageTest, ForgettingNeedsALeftRoomAndLastsUntilTheNextChange) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(room("!r:test"));
    tx.rooms().set_membership({"!r:test", "@a:test", Membership::join, "$j", 1});
    EXPECT_FALSE(tx.rooms().forget("!r:test", "@a:test"));
    tx.rooms().set_membership({"!r:test", "@a:test", Membership::leave, "$l", 2});
    EXPECT_TRUE(tx.rooms().forget("!r:test", "@a:test"));
    EXPECT_TRUE(tx.rooms().membership("!r:test", "@a:test")->forgotten);
    EXPECT_FALSE(tx.rooms().forget("!r:test", "@nobody:test"));
    tx.rooms().set_membership({"!r:test", "@a:test", Membership::invite, "$i", 3});
    EXPECT_FALSE(tx.rooms().membership("!r:test", "@a:test")->forgotten);
  });
}

TEST_P(StorageTest, MembershipNamesRoundTrip) {
  for (Membership membership : {Membership::invite, Membership::join, Membership::knock,
                                Membership::leave, Membership::ban}) {
    EXPECT_EQ(parse_membership(to_string(membership)), membership);
  }
  EXPECT_EQ(parse_membership("Join"), std::nullopt);
  EXPECT_EQ(parse_membership(""), std::nullopt);
}

TEST_P(StorageTest, RoomAliases) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(room("!r:test"));
    EXPECT_EQ(tx.rooms().create_alias({"#b:test", "!r:test", "@alice:test"}),
              CreateResult::created);
    EXPECT_EQ(tx.rooms().create_alias({"#a:test", "!r:test", "@bob:test"}), CreateResult::created);
    EXPECT_EQ(tx.rooms().create_alias({"#a:test", "!r:test", "@eve:test"}), CreateResult::exists);
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.rooms().alias("#a:test"), (RoomAlias{"#a:test", "!r:test", "@bob:test"}));
    EXPECT_EQ(tx.rooms().alias("#zz:test"), std::nullopt);
    EXPECT_EQ(tx.rooms().aliases_of("!r:test"), (std::vector<std::string>{"#a:test", "#b:test"}));
  });
  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.rooms().remove_alias("#a:test"));
    EXPECT_FALSE(tx.rooms().remove_alias("#a:test"));
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().aliases_of("!r:test"); }),
            (std::vector<std::string>{"#b:test"}));
  EXPECT_EQ(write_error_kind(*db,
                             [](WriteTx& tx) {
                               tx.rooms().create_alias({"#c:test", "!zz:test", "@alice:test"});
                             }),
            ErrorKind::constraint);
}

TEST_P(StorageTest, ClientTransactionIdsArePerDevice) {
  auto db = open();
  const ClientTransaction sent{.user_id = "@alice:test",
                               .device_id = "PHONE",
                               .txn_id = "t1",
                               .room_id = "!r:test",
                               .event_id = "$sent",
                               .request_digest = "abc"};
  db->write([&](WriteTx& tx) {
    tx.accounts().create(user("@alice:test"));
    tx.devices().create(device("@alice:test", "PHONE"));
    tx.devices().create(device("@alice:test", "LAPTOP"));
    EXPECT_EQ(tx.rooms().record_transaction(sent), CreateResult::created);
    ClientTransaction retry = sent;
    retry.event_id = "$other";
    EXPECT_EQ(tx.rooms().record_transaction(retry), CreateResult::exists);
    ClientTransaction laptop = sent;
    laptop.device_id = "LAPTOP";
    laptop.event_id = "$laptop";
    EXPECT_EQ(tx.rooms().record_transaction(laptop), CreateResult::created);
  });
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.rooms().transaction("@alice:test", "PHONE", "t1"), sent);
    EXPECT_EQ(tx.rooms().transaction("@alice:test", "LAPTOP", "t1")->event_id, "$laptop");
    EXPECT_EQ(tx.rooms().transaction("@alice:test", "PHONE", "t2"), std::nullopt);
    EXPECT_EQ(tx.rooms().transaction_of_event("@alice:test", "PHONE", "$sent"), sent);
    EXPECT_EQ(tx.rooms().transaction_of_event("@alice:test", "LAPTOP", "$sent"), std::nullopt);
  });
  // Deleting the device forgets its transactions.
  db->write([](WriteTx& tx) { tx.devices().remove("@alice:test", "PHONE"); });
  EXPECT_EQ(
      db->read([](ReadTx& tx) { return tx.rooms().transaction("@alice:test", "PHONE", "t1"); }),
      std::nullopt);
  EXPECT_EQ(write_error_kind(*db, [&](WriteTx& tx) { tx.rooms().record_transaction(sent); }),
            ErrorKind::constraint);
}

// What the pipeline's persist step does, all in one transaction: if anything fails nothing
// of it stays.
TEST_P(StorageTest, FailedPersistLeavesNothingHalfWritten) {
  auto db = open();
  EXPECT_EQ(
      write_error_kind(
          *db,
          [](WriteTx& tx) {
            tx.rooms().create(room("!r:test"));
            NewEvent create;
            create.event_id = "$create";
            create.room_id = "!r:test";
            create.type = "m.room.create";
            create.state_key = "";
            create.sender = "@alice:test";
            create.json = "{}";
            const auto stream = tx.events().insert(create).stream;
            const auto group = tx.state().create_group("!r:test", std::nullopt,
                                                       {{{"m.room.create", ""}, "$create"}});
            tx.state().set_event_state_group("$create", group);
            tx.rooms().apply_state_delta("!r:test", {{{"m.room.create", ""}, "$create"}});
            tx.rooms().add_forward_extremity("!r:test", "$create", {});
            tx.rooms().set_membership(member("!r:test", "@alice:test", Membership::join, stream));
            // A state group naming an event that was never stored fails.
            tx.state().create_group("!r:test", group, {{{"m.room.name", ""}, "$ghost"}});
          }),
      ErrorKind::constraint);
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.rooms().get("!r:test"), std::nullopt);
    EXPECT_EQ(tx.events().get("$create"), std::nullopt);
    EXPECT_EQ(tx.events().max_stream(), 0);
    EXPECT_EQ(tx.state().event_state_group("$create"), std::nullopt);
    EXPECT_TRUE(tx.rooms().current_state("!r:test").empty());
    EXPECT_TRUE(tx.rooms().forward_extremities("!r:test").empty());
    EXPECT_TRUE(tx.rooms().rooms_for_user("@alice:test", Membership::join).empty());
  });
}

}  // namespace
}  // namespace ranvier::storage::test
