// EventStore on every backend: insert and fetch, duplicates, timelines in both orders, auth
// chains, flags, and rollback.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "storage/storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

struct Abort {};

NewEvent state_event(std::string room_id, std::string event_id, std::string type,
                     std::string state_key, std::vector<std::string> auth = {}) {
  NewEvent event = message(std::move(room_id), std::move(event_id), 1, {}, std::move(auth));
  event.type = std::move(type);
  event.state_key = std::move(state_key);
  return event;
}

TEST_P(StorageTest, EventsAreStoredWithTheirEdgesAndStreamPositions) {
  auto db = open();
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().max_stream(); }), 0);
  NewEvent create = state_event("!r:test", "$create", "m.room.create", "");
  NewEvent hello = message("!r:test", "$hello", 2, {"$create", "$missing", "$create"}, {"$create"});
  const auto [first, second] = db->write([&](WriteTx& tx) {
    const EventInsert inserted = tx.events().insert(create);
    return std::pair(inserted, tx.events().insert(hello));
  });
  EXPECT_EQ(first.result, CreateResult::created);
  EXPECT_EQ(second.result, CreateResult::created);
  EXPECT_LT(first.stream, second.stream);

  auto stored = db->read([](ReadTx& tx) { return tx.events().get("$hello"); });
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->json, hello.json);
  EXPECT_EQ(stored->state_key, std::nullopt);
  EXPECT_EQ(stored->depth, 2);
  EXPECT_EQ(stored->origin_server_ts, t0 + 2);
  // Order kept, the repeated ID once, an unstored prev event kept as an edge.
  EXPECT_EQ(stored->prev_events, (std::vector<std::string>{"$create", "$missing"}));
  EXPECT_EQ(stored->auth_events, (std::vector<std::string>{"$create"}));
  EXPECT_EQ(stored->stream, second.stream);
  EXPECT_FALSE(stored->outlier || stored->soft_failed || stored->rejected());
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().get("$create"); })->state_key, "");
  // The row alone: everything but the edges.
  auto row = db->read([](ReadTx& tx) { return tx.events().get_row("$hello"); });
  ASSERT_TRUE(row.has_value());
  StoredEvent expected = *stored;
  expected.prev_events.clear();
  expected.auth_events.clear();
  EXPECT_EQ(*row, expected);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().get_row("$nothing"); }), std::nullopt);

  // A duplicate changes nothing and uses no stream position.
  NewEvent again = hello;
  again.json = "{}";
  const EventInsert duplicate = db->write([&](WriteTx& tx) { return tx.events().insert(again); });
  EXPECT_EQ(duplicate.result, CreateResult::exists);
  EXPECT_EQ(duplicate.stream, second.stream);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().max_stream(); }), second.stream);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().get("$hello")->json; }), hello.json);

  const std::vector<std::string> asked{"$hello", "$nope", "$create", "$hello"};
  auto many = db->read([&](ReadTx& tx) { return tx.events().get_many(asked); });
  EXPECT_EQ(ids_of(many), (std::vector<std::string>{"$create", "$hello"}));
  EXPECT_EQ(many.at(1).prev_events.size(), 2u);
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.events().known(asked); }),
            (std::vector<std::string>{"$create", "$hello"}));
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().get("$nope"); }), std::nullopt);
  EXPECT_TRUE(db->read([](ReadTx& tx) { return tx.events().get_many({}); }).empty());
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().children("$create"); }),
            (std::vector<std::string>{"$hello"}));
}

TEST_P(StorageTest, EventsInsertedTogetherMatchOneByOneInserts) {
  auto db = open();
  const NewEvent before = message("!r:test", "$before", 1);
  db->write([&](WriteTx& tx) { tx.events().insert(before); });
  NewEvent create = state_event("!r:test", "$create", "m.room.create", "");
  create.outlier = true;
  NewEvent member = state_event("!r:test", "$quote\"d\n", "m.room.member", "@ünï:test", {"$create", "$create"});
  member.rejected_reason = "not allowed";
  member.json = R"({"content":{"body":"\"\\\u0000😀"}})";
  NewEvent reply = message("!r:test", "$reply", 3, {"$before", "$missing"}, {"$create"});
  reply.soft_failed = true;
  reply.relates_to = "$before";
  reply.rel_type = "m.thread";
  NewEvent old = message("!r:test", "$old", 0);
  old.backfilled = true;
  NewEvent older = message("!r:test", "$older", 0);
  older.backfilled = true;
  const std::vector<NewEvent> batch{create, before, member, old, create, reply, older};
  const auto results = db->write([&](WriteTx& tx) { return tx.events().insert_many(batch); });
  ASSERT_EQ(results.size(), batch.size());
  const std::int64_t first = results[0].stream;
  EXPECT_EQ(results[0].result, CreateResult::created);
  EXPECT_EQ(results[1].result, CreateResult::exists);  // stored before
  EXPECT_EQ(results[2].result, CreateResult::created);
  EXPECT_EQ(results[4].result, CreateResult::exists);  // repeated within the batch
  EXPECT_EQ(results[4].stream, first);
  EXPECT_EQ(results[5].result, CreateResult::created);
  // Positions in batch order, as one-by-one inserts would have taken them.
  EXPECT_EQ(results[2].stream, first + 1);
  EXPECT_EQ(results[5].stream, first + 2);
  EXPECT_EQ(results[3].stream, -1);
  EXPECT_EQ(results[6].stream, -2);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.events().max_stream(); }), first + 2);
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(results[1].stream, tx.events().get("$before")->stream);
    for (std::size_t i : {0u, 2u, 3u, 5u, 6u}) {
      auto stored = tx.events().get(batch[i].event_id);
      ASSERT_TRUE(stored.has_value()) << batch[i].event_id;
      StoredEvent expected;
      static_cast<NewEvent&>(expected) = batch[i];
      expected.stream = results[i].stream;
      expected.backfilled = false;  // a flag for insert, not a column: the stream position says it
      // Edges come back each once, in order.
      expected.auth_events.erase(std::unique(expected.auth_events.begin(), expected.auth_events.end()),
                                 expected.auth_events.end());
      EXPECT_EQ(*stored, expected) << batch[i].event_id;
    }
  });
  EXPECT_TRUE(db->write([](WriteTx& tx) { return tx.events().insert_many({}); }).empty());
}

TEST_P(StorageTest, EventIdsWithJsonSpecialCharactersWork) {
  auto db = open();
  const std::vector<std::string> ids{"$quote\"d", "$back\\slash", "$tab\tand\nline", "$ünï😀"};
  db->write([&](WriteTx& tx) {
    for (const std::string& id : ids) {
      tx.events().insert(message("!r:test", id, 1, ids, ids));
    }
  });
  auto found = db->read([&](ReadTx& tx) { return tx.events().known(ids); });
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(found, sorted);
  auto event = db->read([&](ReadTx& tx) { return tx.events().get(ids[0]); });
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->prev_events, ids);
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.events().auth_chain(ids); }), sorted);
}

TEST_P(StorageTest, RoomTimelinesSkipHiddenEventsInBothDirections) {
  auto db = open();
  std::vector<std::int64_t> streams;
  db->write([&](WriteTx& tx) {
    for (int i = 1; i <= 10; ++i) {
      NewEvent event = message("!r:test", "$m" + std::to_string(i), i);
      event.outlier = i == 4;
      event.soft_failed = i == 5;
      if (i == 6) {
        event.rejected_reason = "not allowed";
      }
      streams.push_back(tx.events().insert(event).stream);
      tx.events().insert(message("!other:test", "$o" + std::to_string(i), i));
    }
  });
  auto forward = db->read([&](ReadTx& tx) {
    return tx.events().room_events("!r:test", streams[1], streams[8], Direction::forward, 100);
  });
  EXPECT_EQ(ids_of(forward), (std::vector<std::string>{"$m3", "$m7", "$m8", "$m9"}));
  auto backward = db->read([&](ReadTx& tx) {
    return tx.events().room_events("!r:test", streams[1], streams[8], Direction::backward, 2);
  });
  EXPECT_EQ(ids_of(backward), (std::vector<std::string>{"$m9", "$m8"}));
  auto limited = db->read([&](ReadTx& tx) {
    return tx.events().room_events("!r:test", 0, streams[9], Direction::forward, 1);
  });
  EXPECT_EQ(ids_of(limited), (std::vector<std::string>{"$m1"}));

  const TopologicalPosition middle{7, streams[6]};
  auto older = db->read([&](ReadTx& tx) {
    return tx.events().room_messages("!r:test", middle, Direction::backward, 3);
  });
  EXPECT_EQ(ids_of(older), (std::vector<std::string>{"$m3", "$m2", "$m1"}));
  auto newer = db->read([&](ReadTx& tx) {
    return tx.events().room_messages("!r:test", middle, Direction::forward, 100);
  });
  EXPECT_EQ(ids_of(newer), (std::vector<std::string>{"$m8", "$m9", "$m10"}));
  // Equal depths are ordered by stream.
  db->write([](WriteTx& tx) { tx.events().insert(message("!r:test", "$late", 2)); });
  auto around = db->read([&](ReadTx& tx) {
    return tx.events().room_messages("!r:test", {2, 0}, Direction::forward, 2);
  });
  EXPECT_EQ(ids_of(around), (std::vector<std::string>{"$m2", "$late"}));
  EXPECT_TRUE(db->read([](ReadTx& tx) {
                  return tx.events().room_events("!unknown:test", 0, 1000, Direction::forward, 10);
                }).empty());
}

TEST_P(StorageTest, AuthChainsFollowAuthEdgesOnly) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.events().insert(state_event("!r:test", "$create", "m.room.create", ""));
    tx.events().insert(state_event("!r:test", "$member", "m.room.member", "@a:test", {"$create"}));
    tx.events().insert(
        state_event("!r:test", "$power", "m.room.power_levels", "", {"$create", "$member"}));
    NewEvent msg = message("!r:test", "$msg", 4, {"$power"}, {"$power", "$gone"});
    tx.events().insert(msg);
    // A cycle (impossible in valid rooms, possible in hostile input) must still end.
    tx.events().insert(message("!r:test", "$loop1", 5, {}, {"$loop2"}));
    tx.events().insert(message("!r:test", "$loop2", 5, {}, {"$loop1"}));
  });
  const std::vector<std::string> msg{"$msg"};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.events().auth_chain(msg); }),
            (std::vector<std::string>{"$create", "$gone", "$member", "$power"}));
  const std::vector<std::string> member{"$member", "$create"};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.events().auth_chain(member); }),
            (std::vector<std::string>{"$create"}));
  const std::vector<std::string> loop{"$loop1"};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.events().auth_chain(loop); }),
            (std::vector<std::string>{"$loop1", "$loop2"}));
  const std::vector<std::string> unknown{"$unknown"};
  EXPECT_TRUE(db->read([&](ReadTx& tx) { return tx.events().auth_chain(unknown); }).empty());
}

TEST_P(StorageTest, EventFlagsChangeAfterInsert) {
  auto db = open();
  db->write([](WriteTx& tx) { tx.events().insert(message("!r:test", "$e", 1)); });
  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.events().set_rejected("$e", "bad signature"));
    EXPECT_TRUE(tx.events().set_soft_failed("$e", true));
    EXPECT_TRUE(tx.events().set_redacted_by("$e", "$redaction"));
    EXPECT_FALSE(tx.events().set_rejected("$unknown", "x"));
    EXPECT_FALSE(tx.events().set_soft_failed("$unknown", true));
    EXPECT_FALSE(tx.events().set_redacted_by("$unknown", "$redaction"));
  });
  auto event = db->read([](ReadTx& tx) { return tx.events().get("$e"); });
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->rejected_reason, "bad signature");
  EXPECT_TRUE(event->soft_failed);
  EXPECT_EQ(event->redacted_by, "$redaction");
}

TEST_P(StorageTest, RolledBackEventInsertLeavesNoTrace) {
  auto db = open();
  db->write([](WriteTx& tx) { tx.events().insert(message("!r:test", "$kept", 1)); });
  const std::int64_t before = db->read([](ReadTx& tx) { return tx.events().max_stream(); });
  EXPECT_THROW(db->write([](WriteTx& tx) {
    tx.events().insert(message("!r:test", "$dropped", 2, {"$kept"}, {"$kept"}));
    throw Abort{};
  }),
               Abort);
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.events().get("$dropped"), std::nullopt);
    EXPECT_EQ(tx.events().max_stream(), before);
    EXPECT_TRUE(tx.events().children("$kept").empty());
  });
  // The position is handed out again.
  const EventInsert next =
      db->write([](WriteTx& tx) { return tx.events().insert(message("!r:test", "$next", 2)); });
  EXPECT_EQ(next.stream, before + 1);
}

TEST_P(StorageTest, RelationsAndTimestampLookups) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.events().insert(message("!r:test", "$root", 1));
    for (int i = 0; i < 4; ++i) {
      NewEvent reply = message("!r:test", "$reply" + std::to_string(i), i + 2);
      reply.relates_to = "$root";
      reply.rel_type = i % 2 == 0 ? "m.thread" : "m.annotation";
      reply.soft_failed = i == 3;
      tx.events().insert(reply);
    }
  });
  const std::int64_t now = db->read([](ReadTx& tx) { return tx.events().max_stream(); });
  auto all = db->read([&](ReadTx& tx) {
    return tx.events().relations({"!r:test", "$root"}, 0, now, Direction::forward, 10);
  });
  EXPECT_EQ(ids_of(all), (std::vector<std::string>{"$reply0", "$reply1", "$reply2"}));
  EXPECT_EQ(all.at(0).relates_to, "$root");
  EXPECT_EQ(all.at(0).rel_type, "m.thread");
  auto threads = db->read([&](ReadTx& tx) {
    return tx.events().relations({"!r:test", "$root", "m.thread"}, 0, now, Direction::backward,
                                 10);
  });
  EXPECT_EQ(ids_of(threads), (std::vector<std::string>{"$reply2", "$reply0"}));
  // Soft-failed events are not counted either.
  const std::vector<std::string> page{"$root", "$reply0", "$unknown"};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.events().relation_counts("!r:test", page, "@alice:test"); }),
            (std::map<std::string, std::vector<RelationCount>, std::less<>>{
                {"$root", {{"m.annotation", 1, 1}, {"m.thread", 2, 2}}}}));
  EXPECT_TRUE(db->read([&](ReadTx& tx) {
                  return tx.events().relations({"!r:test", "$reply0"}, 0, now, Direction::forward,
                                               10);
                }).empty());

  // message() stamps origin_server_ts = t0 + depth.
  auto after = db->read(
      [](ReadTx& tx) { return tx.events().event_near_ts("!r:test", t0 + 3, Direction::forward); });
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->event_id, "$reply1");
  auto before = db->read([](ReadTx& tx) {
    return tx.events().event_near_ts("!r:test", t0 + 100, Direction::backward);
  });
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->event_id, "$reply2");  // $reply3 is soft-failed
  EXPECT_EQ(db->read([](ReadTx& tx) {
    return tx.events().event_near_ts("!r:test", t0, Direction::backward);
  }),
            std::nullopt);
}

// /relations?recurse walks relations of relations; filters apply to what is returned, and
// events of another room that claim a relation are not the room's relations.
TEST_P(StorageTest, RelationsByEventTypeAcrossRoomsAndDepth) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.events().insert(message("!r:test", "$root", 1));
    NewEvent edit = message("!r:test", "$edit", 2);
    edit.relates_to = "$root";
    edit.rel_type = "m.replace";
    tx.events().insert(edit);
    NewEvent reaction = message("!r:test", "$reaction", 3);
    reaction.type = "m.reaction";
    reaction.relates_to = "$edit";
    reaction.rel_type = "m.annotation";
    tx.events().insert(reaction);
    NewEvent deeper = message("!r:test", "$deeper", 4);
    deeper.relates_to = "$reaction";
    deeper.rel_type = "m.reference";
    tx.events().insert(deeper);
    NewEvent elsewhere = message("!other:test", "$elsewhere", 1);
    elsewhere.relates_to = "$root";
    elsewhere.rel_type = "m.replace";
    tx.events().insert(elsewhere);
  });
  const std::int64_t now = db->read([](ReadTx& tx) { return tx.events().max_stream(); });
  auto page = [&](RelationQuery query) {
    return ids_of(db->read([&](ReadTx& tx) {
      return tx.events().relations(query, 0, now, Direction::forward, 10);
    }));
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(page({"!r:test", "$root"}), Ids{"$edit"});
  // Counts for bundled aggregations: direct relations in the room only, per rel_type.
  auto counts = [&](const std::vector<std::string>& event_ids, const std::string& user) {
    return db->read([&](ReadTx& tx) { return tx.events().relation_counts("!r:test", event_ids, user); });
  };
  using Counts = std::map<std::string, std::vector<RelationCount>, std::less<>>;
  EXPECT_EQ(counts({"$root"}, "@someone:test"), (Counts{{"$root", {{"m.replace", 1, 0}}}}));
  EXPECT_EQ(counts({"$edit"}, message("!r:test", "$x", 1).sender), (Counts{{"$edit", {{"m.annotation", 1, 1}}}}));
  EXPECT_TRUE(counts({"$deeper"}, "@someone:test").empty());
  EXPECT_EQ(counts({"$root", "$edit", "$reaction", "$deeper"}, "@someone:test"),
            (Counts{{"$edit", {{"m.annotation", 1, 0}}}, {"$reaction", {{"m.reference", 1, 0}}},
                    {"$root", {{"m.replace", 1, 0}}}}));
  EXPECT_TRUE(counts({}, "@someone:test").empty());
  EXPECT_EQ(page({.room_id = "!r:test", .event_id = "$root", .max_depth = 2}),
            (Ids{"$edit", "$reaction"}));
  EXPECT_EQ(page({.room_id = "!r:test", .event_id = "$root", .max_depth = 3}),
            (Ids{"$edit", "$reaction", "$deeper"}));
  EXPECT_EQ(page({.room_id = "!r:test", .event_id = "$root", .rel_type = "m.annotation",
                  .max_depth = 3}),
            Ids{"$reaction"});
  EXPECT_EQ(page({.room_id = "!r:test", .event_id = "$root", .event_type = "m.room.message",
                  .max_depth = 3}),
            (Ids{"$edit", "$deeper"}));
  EXPECT_EQ(page({"!r:test", "$root", "m.replace", "m.reaction"}), Ids{});
  EXPECT_EQ(page({"!other:test", "$root"}), Ids{"$elsewhere"});
}

TEST_P(StorageTest, ThreadRootsByLatestEvent) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.events().insert(message("!r:test", "$old_root", 1));
    tx.events().insert(message("!r:test", "$new_root", 2));
    tx.events().insert(message("!r:test", "$plain", 3));
    auto reply = [&](std::string id, std::string root, std::string sender, bool soft_failed) {
      NewEvent event = message("!r:test", std::move(id), 4);
      event.relates_to = std::move(root);
      event.rel_type = "m.thread";
      event.sender = std::move(sender);
      event.soft_failed = soft_failed;
      tx.events().insert(event);
    };
    reply("$a", "$new_root", "@bob:test", false);
    reply("$b", "$old_root", "@bob:test", false);
    reply("$c", "$old_root", "@bob:test", false);
    reply("$d", "$new_root", "@carol:test", true);  // soft-failed: neither counted nor newest
    NewEvent annotation = message("!r:test", "$e", 5);
    annotation.relates_to = "$plain";
    annotation.rel_type = "m.annotation";
    tx.events().insert(annotation);
  });
  auto roots = db->read([](ReadTx& tx) {
    return tx.events().thread_roots("!r:test", "@carol:test", false, INT64_MAX, 10);
  });
  ASSERT_EQ(roots.size(), 2U);
  EXPECT_EQ(roots[0].root.event_id, "$old_root");
  EXPECT_EQ(roots[0].count, 2);
  EXPECT_FALSE(roots[0].participated);
  EXPECT_EQ(roots[1].root.event_id, "$new_root");
  EXPECT_EQ(roots[1].count, 1);
  const std::int64_t a_stream = db->read([](ReadTx& tx) { return tx.events().get("$a")->stream; });
  EXPECT_EQ(roots[1].latest_stream, a_stream);

  // The next page starts below the last root's newest thread event.
  auto next = db->read([&](ReadTx& tx) {
    return tx.events().thread_roots("!r:test", "@carol:test", false, roots[0].latest_stream, 10);
  });
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next[0].root.event_id, "$new_root");

  // Alice sent both roots; Bob replied to both; Carol's only reply is soft-failed.
  for (const char* user : {"@alice:test", "@bob:test"}) {
    auto mine = db->read([&](ReadTx& tx) {
      return tx.events().thread_roots("!r:test", user, true, INT64_MAX, 10);
    });
    EXPECT_EQ(mine.size(), 2U) << user;
  }
  EXPECT_TRUE(db->read([](ReadTx& tx) {
                  return tx.events().thread_roots("!r:test", "@carol:test", true, INT64_MAX, 10);
                }).empty());
}

// Stream positions must be unique and hand out in commit order even when several threads
// write at once (PostgreSQL runs them truly concurrently); a duplicate raced from two threads
// is stored once.
TEST_P(StorageTest, ConcurrentEventWritersGetDistinctPositions) {
  auto db = open();
  constexpr int threads = 4;
  constexpr int per_thread = 25;
  std::vector<std::vector<EventInsert>> results(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string own = "$t" + std::to_string(t) + "_" + std::to_string(i);
        results[t].push_back(
            db->write([&](WriteTx& tx) { return tx.events().insert(message("!r:test", own, i)); }));
        results[t].push_back(db->write([&](WriteTx& tx) {
          return tx.events().insert(message("!r:test", "$shared" + std::to_string(i), i));
        }));
      }
    });
  }
  for (std::thread& worker : workers) {
    worker.join();
  }
  std::set<std::int64_t> own_positions;
  std::map<std::int64_t, int> shared_created;
  for (const auto& inserts : results) {
    for (std::size_t i = 0; i < inserts.size(); i += 2) {
      EXPECT_EQ(inserts[i].result, CreateResult::created);
      EXPECT_TRUE(own_positions.insert(inserts[i].stream).second);
      shared_created[static_cast<std::int64_t>(i / 2)] +=
          inserts[i + 1].result == CreateResult::created ? 1 : 0;
    }
  }
  for (const auto& [index, created] : shared_created) {
    EXPECT_EQ(created, 1) << "$shared" << index;
  }
  db->read([&](ReadTx& tx) {
    auto all =
        tx.events().room_events("!r:test", 0, tx.events().max_stream(), Direction::forward, 1000);
    EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread + per_thread));
    for (std::size_t i = 1; i < all.size(); ++i) {
      EXPECT_LT(all[i - 1].stream, all[i].stream);
    }
  });
  // Every thread that lost the race for a shared ID was told the winner's position.
  for (const auto& inserts : results) {
    for (std::size_t i = 1; i < inserts.size(); i += 2) {
      const std::string id = "$shared" + std::to_string(i / 2);
      EXPECT_EQ(inserts[i].stream,
                db->read([&](ReadTx& tx) { return tx.events().get(id)->stream; }));
    }
  }
}

// What persisting one /send costs in storage, as the pipeline will do it: one transaction
// storing the event with its edges, its state group link, the new extremity and the client
// transaction ID. The Romeo and Juliet workload sends 3,287 messages; the figure is printed,
// not asserted.
TEST_P(StorageTest, MessagePersistFigure) {
  constexpr int sends = 3287;
  auto db = open();
  const std::int64_t group = db->write([](WriteTx& tx) {
    tx.accounts().create(user("@romeo:test"));
    tx.devices().create(device("@romeo:test", "D"));
    tx.rooms().create(Room{.room_id = "!r:test", .room_version = "12", .creator = "@romeo:test"});
    NewEvent create = state_event("!r:test", "$create", "m.room.create", "");
    tx.events().insert(create);
    tx.rooms().add_forward_extremity("!r:test", "$create", {});
    const std::int64_t created =
        tx.state().create_group("!r:test", std::nullopt, {{{"m.room.create", ""}, "$create"}});
    tx.state().set_event_state_group("$create", created);
    return created;
  });
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < sends; ++i) {
    db->write([&](WriteTx& tx) {
      const std::vector<std::string> prev = tx.rooms().forward_extremities("!r:test");
      NewEvent event = message("!r:test", "$send" + std::to_string(i), i + 2, prev, {"$create"});
      tx.events().insert(event);
      tx.state().set_event_state_group(event.event_id, group);
      tx.rooms().add_forward_extremity("!r:test", event.event_id, prev);
      tx.rooms().record_transaction({.user_id = "@romeo:test",
                                     .device_id = "D",
                                     .txn_id = std::to_string(i),
                                     .room_id = "!r:test",
                                     .event_id = event.event_id,
                                     .request_digest = "x"});
    });
  }
  const double total_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().forward_extremities("!r:test"); }),
            (std::vector<std::string>{"$send" + std::to_string(sends - 1)}));
  std::cout << "[ figures  ] " << to_string(GetParam()) << ": " << sends
            << " message persists (event, edges, state link, extremity, txn ID; one transaction"
               " each) took "
            << total_ms << " ms, " << total_ms * 1000 / sends << " us each\n";
}

}  // namespace
}  // namespace ranvier::storage::test
