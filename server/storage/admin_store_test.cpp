// The admin store on every backend: filtered user pages, erased users, blocked rooms, and
// history purges that keep state events, the frontier and (unless asked) local events.

#include "storage/storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

NewEvent room_event(const std::string& event_id, std::int64_t depth, const std::string& sender,
                    std::optional<std::string> state_key = std::nullopt) {
  NewEvent event;
  event.event_id = event_id;
  event.room_id = "!r:test";
  event.type = state_key ? "m.room.member" : "m.room.message";
  event.state_key = std::move(state_key);
  event.sender = sender;
  event.depth = depth;
  event.origin_server_ts = t0 + depth;
  event.json = R"({"event_id":")" + event_id + R"("})";
  return event;
}

std::vector<std::string> timeline(ReadTx& tx) {
  std::vector<std::string> ids;
  for (const auto& event : tx.events().room_messages("!r:test", {1000, 0}, Direction::backward, 100)) {
    ids.push_back(event.event_id);
  }
  return ids;
}

TEST_P(StorageTest, AdminUserPagesFilterAndCount) {
  auto db = open();
  db->write([](WriteTx& tx) {
    for (const char* id : {"@alice:test", "@bob:test", "@carol:test", "@dave:test"}) {
      tx.accounts().create(user(id));
    }
    auto guest = user("@guest1:test");
    guest.is_guest = true;
    tx.accounts().create(guest);
    tx.accounts().deactivate("@dave:test");
    tx.profiles().put("@carol:test", R"({"displayname":"Bobby Tables"})");
  });
  db->read([](ReadTx& tx) {
    auto all = tx.admin().users({.offset = 0, .limit = 2});
    EXPECT_EQ(all.user_ids, (std::vector<std::string>{"@alice:test", "@bob:test"}));
    EXPECT_EQ(all.total, 4);  // deactivated excluded by default, guests included
    auto rest = tx.admin().users({.offset = 2, .limit = 10});
    EXPECT_EQ(rest.user_ids, (std::vector<std::string>{"@carol:test", "@guest1:test"}));
    auto no_guests = tx.admin().users({.limit = 10, .include_guests = false, .include_deactivated = true});
    EXPECT_EQ(no_guests.user_ids,
              (std::vector<std::string>{"@alice:test", "@bob:test", "@carol:test", "@dave:test"}));
    // By ID or display name, case-insensitively; LIKE wildcards are plain text.
    auto bob = tx.admin().users({.limit = 10, .name = "BOB"});
    EXPECT_EQ(bob.user_ids, (std::vector<std::string>{"@bob:test", "@carol:test"}));
    EXPECT_EQ(bob.total, 2);
    EXPECT_EQ(tx.admin().users({.limit = 10, .name = "%"}).total, 0);
  });
}

TEST_P(StorageTest, AdminErasedUsersAndBlockedRooms) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.accounts().create(user("@alice:test"));
    tx.admin().mark_erased("@alice:test", t0);
    tx.admin().mark_erased("@alice:test", t0 + 1);
    EXPECT_TRUE(tx.admin().block_room("!r:test", "@admin:test", t0));
    EXPECT_FALSE(tx.admin().block_room("!r:test", "@admin:test", t0));
    EXPECT_TRUE(tx.admin().block_room("!s:test", "@admin:test", t0));
    EXPECT_TRUE(tx.admin().unblock_room("!s:test"));
    EXPECT_FALSE(tx.admin().unblock_room("!s:test"));
    tx.registration_tokens().create({.token = "abc", .uses_allowed = 1, .created_ts = t0});
    EXPECT_TRUE(tx.admin().update_registration_token("abc", std::nullopt, t0 + 5));
    EXPECT_FALSE(tx.admin().update_registration_token("nope", 3, std::nullopt));
  });
  db->read([](ReadTx& tx) {
    EXPECT_TRUE(tx.admin().is_erased("@alice:test"));
    EXPECT_FALSE(tx.admin().is_erased("@bob:test"));
    EXPECT_TRUE(tx.admin().is_room_blocked("!r:test"));
    EXPECT_FALSE(tx.admin().is_room_blocked("!s:test"));
    const auto token = tx.registration_tokens().get("abc");
    EXPECT_EQ(token->uses_allowed, std::nullopt);
    EXPECT_EQ(token->expiry_time, t0 + 5);
  });
}

TEST_P(StorageTest, AdminPurgeKeepsStateFrontierAndLocalEvents) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.rooms().create(Room{.room_id = "!r:test", .room_version = "10", .created_ts = t0, .creator = "@a:test"});
    tx.rooms().create(Room{.room_id = "!other:test", .room_version = "10", .created_ts = t0, .creator = "@a:test"});
    tx.events().insert(room_event("$create", 1, "@a:test", ""));
    // A purged event's DAG edges go with it (PostgreSQL: a trigger since migration 0028 took
    // the edges' foreign keys and their ON DELETE CASCADE away).
    auto remote1 = room_event("$remote1", 2, "@r:remote.test");
    remote1.prev_events = {"$create"};
    remote1.auth_events = {"$create"};
    tx.events().insert(remote1);
    tx.events().insert(room_event("$local1", 3, "@a:test"));
    tx.events().insert(room_event("$join", 4, "@r:remote.test", "@r:remote.test"));
    tx.events().insert(room_event("$remote2", 5, "@r:remote.test"));
    // A redaction of a kept event stays: serving that event needs it.
    tx.events().insert(room_event("$redaction", 5, "@r:remote.test"));
    tx.events().set_redacted_by("$join", "$redaction");
    tx.events().insert(room_event("$extremity", 6, "@r:remote.test"));
    tx.events().insert(room_event("$after", 8, "@r:remote.test"));
    auto elsewhere = room_event("$elsewhere", 2, "@r:remote.test");
    elsewhere.room_id = "!other:test";
    tx.events().insert(elsewhere);
    const std::vector<std::string> frontier{"$extremity", "$after"};
    tx.rooms().set_forward_extremities("!r:test", frontier);
    // A state group link on a purged event must go with it.
    const auto group = tx.state().create_group("!r:test", std::nullopt, {});
    tx.state().set_event_state_group("$remote1", group);
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.events().children("$create"), std::vector<std::string>{"$remote1"});
    EXPECT_EQ(tx.events().auth_chain(std::vector<std::string>{"$remote1"}), std::vector<std::string>{"$create"});
  });
  const auto before = db->read([](ReadTx& tx) {
    const auto point = tx.events().get("$after");
    return TopologicalPosition{point->depth, point->stream};
  });
  const auto purged = db->write([&](WriteTx& tx) {
    return tx.admin().purge_history(
        {.room_id = "!r:test", .before = before, .local_suffix = ":test", .delete_local = false});
  });
  EXPECT_EQ(purged, 2);  // $remote1 and $remote2
  db->read([](ReadTx& tx) {
    EXPECT_EQ(timeline(tx),
              (std::vector<std::string>{"$after", "$extremity", "$redaction", "$join", "$local1", "$create"}));
    EXPECT_FALSE(tx.state().event_state_group("$remote1"));
    EXPECT_TRUE(tx.events().children("$create").empty());
    EXPECT_EQ(tx.events().auth_chain(std::vector<std::string>{"$remote1"}), std::vector<std::string>{});
    EXPECT_TRUE(tx.events().get("$elsewhere"));
  });
  const auto with_local = db->write([&](WriteTx& tx) {
    return tx.admin().purge_history(
        {.room_id = "!r:test", .before = before, .local_suffix = ":test", .delete_local = true});
  });
  EXPECT_EQ(with_local, 1);
  db->read([](ReadTx& tx) {
    EXPECT_EQ(timeline(tx), (std::vector<std::string>{"$after", "$extremity", "$redaction", "$join", "$create"}));
    EXPECT_EQ(tx.admin().all_room_ids(), (std::vector<std::string>{"!other:test", "!r:test"}));
  });
}

}  // namespace
}  // namespace ranvier::storage::test
