// StateStore on every backend: groups resolve to exactly the state their deltas describe,
// bad input is refused before anything is written, and the space per change is measured.

#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <random>

#include "storage/storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

NewEvent member_event(const std::string& event_id, const std::string& user_id) {
  NewEvent event;
  event.event_id = event_id;
  event.room_id = "!r:test";
  event.type = "m.room.member";
  event.state_key = user_id;
  event.sender = user_id;
  event.depth = 1;
  event.origin_server_ts = t0;
  event.json = R"({"membership":"join"})";
  return event;
}

StateKey member(const std::string& user_id) { return {"m.room.member", user_id}; }

// Stores `count` member events $e0.. for users @u0..@u{users-1} (round robin).
void store_events(Database& db, int count, int users) {
  db.write([&](WriteTx& tx) {
    for (int i = 0; i < count; ++i) {
      tx.events().insert(
          member_event("$e" + std::to_string(i), "@u" + std::to_string(i % users) + ":test"));
    }
  });
}

TEST_P(StorageTest, StateGroupsMatchAReferenceOverLongChainsAndForks) {
  auto db = open();
  constexpr int events = 400;
  store_events(*db, events, 40);
  // Random sets, replacements and removals along a chain of 400 groups (long enough for
  // base links to span 16 and 256 positions), checked against an in-memory map after each.
  std::mt19937 random(7);
  StateMap reference;
  std::vector<std::int64_t> groups;
  std::vector<StateMap> expected;
  db->write([&](WriteTx& tx) {
    std::optional<std::int64_t> parent;
    for (int i = 0; i < events; ++i) {
      StateDelta delta;
      const int changes = i % 50 == 0 ? 5 : 1;
      for (int c = 0; c < changes; ++c) {
        const StateKey key = member("@u" + std::to_string(random() % 40) + ":test");
        if (random() % 5 == 0) {
          delta[key] = std::nullopt;
        } else {
          delta[key] = "$e" + std::to_string(random() % events);
        }
      }
      for (const auto& [key, value] : delta) {
        if (value) {
          reference[key] = *value;
        } else {
          reference.erase(key);
        }
      }
      parent = tx.state().create_group("!r:test", parent, delta);
      groups.push_back(*parent);
      expected.push_back(reference);
    }
  });
  db->read([&](ReadTx& tx) {
    for (std::size_t i = 0; i < groups.size(); ++i) {
      ASSERT_EQ(tx.state().state_map(groups[i]), expected[i]) << "group number " << i;
    }
  });

  // Two forks from one parent each see only their own change.
  const std::int64_t middle = groups[200];
  const auto [left, right] = db->write([&](WriteTx& tx) {
    const auto first = tx.state().create_group("!r:test", middle, {{member("@new:test"), "$e1"}});
    return std::pair(first,
                     tx.state().create_group("!r:test", middle, {{member("@u1:test"), "$e2"}}));
  });
  db->read([&](ReadTx& tx) {
    StateMap want_left = expected[200];
    want_left[member("@new:test")] = "$e1";
    EXPECT_EQ(tx.state().state_map(left), want_left);
    StateMap want_right = expected[200];
    want_right[member("@u1:test")] = "$e2";
    EXPECT_EQ(tx.state().state_map(right), want_right);
  });

  // Differences between any two groups, forks included, match the maps' difference.
  std::vector<std::pair<std::int64_t, StateMap>> known;
  for (int i : {0, 1, 15, 16, 17, 199, 200, 255, 256, 257, 399}) {
    known.emplace_back(groups[static_cast<std::size_t>(i)], expected[static_cast<std::size_t>(i)]);
  }
  known.emplace_back(left, db->read([&](ReadTx& tx) { return tx.state().state_map(left); }));
  known.emplace_back(right, db->read([&](ReadTx& tx) { return tx.state().state_map(right); }));
  db->read([&](ReadTx& tx) {
    for (const auto& [from, from_state] : known) {
      for (const auto& [to, to_state] : known) {
        StateMap applied = from_state;
        for (const auto& [key, value] : tx.state().state_difference(from, to)) {
          if (value) {
            EXPECT_NE(from_state.count(key) ? from_state.at(key) : "", *value);
            applied[key] = *value;
          } else {
            EXPECT_TRUE(from_state.contains(key));
            applied.erase(key);
          }
        }
        ASSERT_EQ(applied, to_state) << "from group " << from << " to group " << to;
      }
    }
  });
  EXPECT_TRUE(
      db->read([&](ReadTx& tx) { return tx.state().state_difference(left, left); }).empty());

  // Lookups by key: present keys answered, absent and unknown keys left out.
  const std::vector<StateKey> keys{
      member("@new:test"), member("@nobody:test"), {"m.room.create", ""}};
  auto some = db->read([&](ReadTx& tx) { return tx.state().state_for_keys(left, keys); });
  EXPECT_EQ(some, (StateMap{{member("@new:test"), "$e1"}}));
  const StateKey any_present = expected[399].begin()->first;
  const std::vector<StateKey> one{any_present};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.state().state_for_keys(groups[399], one); }),
            (StateMap{{any_present, expected[399].at(any_present)}}));
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.state().group_room(left); }), "!r:test");
}

TEST_P(StorageTest, EventsPointAtTheStateAfterThem) {
  auto db = open();
  store_events(*db, 3, 3);
  const std::int64_t group = db->write([](WriteTx& tx) {
    return tx.state().create_group("!r:test", std::nullopt, {{member("@u0:test"), "$e0"}});
  });
  db->write([&](WriteTx& tx) {
    EXPECT_EQ(tx.state().set_event_state_group("$e0", group), CreateResult::created);
    EXPECT_EQ(tx.state().set_event_state_group("$e0", group), CreateResult::exists);
    EXPECT_EQ(tx.state().set_event_state_group("$e1", group), CreateResult::created);
  });
  db->read([&](ReadTx& tx) { EXPECT_EQ(tx.state().event_state_group("$e2"), std::nullopt); });
  // The form for an event the transaction has just inserted goes by its stream position.
  db->write([&](WriteTx& tx) { tx.state().set_new_event_state_group(tx.events().get_row("$e2")->stream, group); });
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.state().event_state_group("$e0"), group);
    EXPECT_EQ(tx.state().event_state_group("$e1"), group);
    EXPECT_EQ(tx.state().event_state_group("$e2"), group);
    EXPECT_EQ(tx.state().event_state_group("$unknown"), std::nullopt);
    EXPECT_TRUE(tx.state().state_map(group + 1000).empty());
    EXPECT_EQ(tx.state().group_room(group + 1000), std::nullopt);
  });
}

StorageError write_error(Database& db, const std::function<void(WriteTx&)>& body) {
  try {
    db.write(body);
  } catch (const StorageError& error) {
    return error;
  }
  ADD_FAILURE() << "no StorageError";
  return StorageError(ErrorKind::misuse, "none");
}

TEST_P(StorageTest, BadStateGroupInputIsRefusedAndRolledBack) {
  auto db = open();
  store_events(*db, 2, 2);
  const std::int64_t group = db->write([](WriteTx& tx) {
    return tx.state().create_group("!r:test", std::nullopt, {{member("@u0:test"), "$e0"}});
  });
  EXPECT_EQ(
      write_error(
          *db,
          [](WriteTx& tx) {
            tx.state().create_group("!r:test", std::nullopt, {{member("@x:test"), "$not-stored"}});
          })
          .kind(),
      ErrorKind::constraint);
  EXPECT_EQ(
      write_error(*db,
                  [&](WriteTx& tx) {
                    tx.state().create_group("!r:test", group + 1000, {{member("@u1:test"), "$e1"}});
                  })
          .kind(),
      ErrorKind::constraint);
  EXPECT_EQ(write_error(
                *db,
                [&](WriteTx& tx) {
                  tx.state().create_group("!elsewhere:test", group, {{member("@u1:test"), "$e1"}});
                })
                .kind(),
            ErrorKind::constraint);
  EXPECT_EQ(write_error(*db, [&](WriteTx& tx) { tx.state().set_event_state_group("$nope", group); })
                .kind(),
            ErrorKind::constraint);
  EXPECT_EQ(
      write_error(*db, [&](WriteTx& tx) { tx.state().set_event_state_group("$e1", group + 1000); })
          .kind(),
      ErrorKind::constraint);
  // A group created in a transaction that then fails is gone, and the next one is sound.
  EXPECT_THROW(db->write([&](WriteTx& tx) {
    const auto doomed = tx.state().create_group("!r:test", group, {{member("@u1:test"), "$e1"}});
    tx.state().set_event_state_group("$e1", doomed);
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.state().event_state_group("$e1"); }), std::nullopt);
  const std::int64_t next = db->write([&](WriteTx& tx) {
    return tx.state().create_group("!r:test", group, {{member("@u0:test"), std::nullopt}});
  });
  EXPECT_TRUE(db->read([&](ReadTx& tx) { return tx.state().state_map(next); }).empty());
}

// State resolution and joins over federation hand over whole states at once.
TEST_P(StorageTest, LargeDeltasAreStoredAndRemovedInOneGroup) {
  auto db = open();
  constexpr int keys = 3000;
  store_events(*db, keys, keys);
  StateDelta everything;
  StateDelta half_gone;
  StateMap want;
  for (int i = 0; i < keys; ++i) {
    const StateKey key = member("@u" + std::to_string(i) + ":test");
    everything[key] = "$e" + std::to_string(i);
    if (i % 2 == 0) {
      half_gone[key] = std::nullopt;
    } else {
      want[key] = "$e" + std::to_string(i);
    }
  }
  const auto [full, half] = db->write([&](WriteTx& tx) {
    const std::int64_t first = tx.state().create_group("!r:test", std::nullopt, everything);
    return std::pair(first, tx.state().create_group("!r:test", first, half_gone));
  });
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.state().state_map(full).size(); }),
            static_cast<std::size_t>(keys));
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.state().state_map(half); }), want);
  const std::vector<StateKey> probe{member("@u10:test"), member("@u11:test")};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.state().state_for_keys(half, probe); }),
            (StateMap{{member("@u11:test"), "$e11"}}));
}

// The tables that make up state history (current state is one copy per room, not history).
constexpr const char* state_tables[] = {"state_groups", "state_keys", "state_group_entries",
                                        "event_state_groups"};

// One integer from SQL run outside the code under test.
std::int64_t sqlite_number(const std::filesystem::path& file, const std::string& query) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, query.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      value = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return value;
}

std::int64_t postgres_number(const std::string& url, const std::string& query) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::int64_t value = -1;
  PGresult* result = PQexec(conn, query.c_str());
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
    value = std::stoll(PQgetvalue(result, 0, 0));
  }
  PQclear(result);
  PQfinish(conn);
  return value;
}

// The headline figure of the state design: 10,000 users join one room one after another,
// each join a new state group, and the space the state history takes is divided by the
// number of changes. Prints the figure; asserts only what must hold whatever the engine.
TEST_P(StorageTest, StateBytesPerChangeFigure) {
  constexpr int joins = 10'000;
  constexpr int batch = 500;
  auto db = open();
  store_events(*db, joins, joins);
  std::uintmax_t file_before = 0;
  if (GetParam() == Backend::sqlite) {
    db.reset();  // closing checkpoints the WAL into the main file
    file_before = std::filesystem::file_size(dir_ / "test.db");
    db = open();
  }
  std::optional<std::int64_t> last;
  std::vector<std::int64_t> groups;
  const auto start = std::chrono::steady_clock::now();
  for (int first = 0; first < joins; first += batch) {
    db->write([&](WriteTx& tx) {
      for (int i = first; i < first + batch; ++i) {
        const std::string event_id = "$e" + std::to_string(i);
        last = tx.state().create_group("!r:test", last,
                                       {{member("@u" + std::to_string(i) + ":test"), event_id}});
        tx.state().set_event_state_group(event_id, *last);
        groups.push_back(*last);
      }
    });
  }
  const double write_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const auto lookup_start = std::chrono::steady_clock::now();
  const StateMap state = db->read([&](ReadTx& tx) { return tx.state().state_map(*last); });
  const double lookup_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - lookup_start)
          .count();
  EXPECT_EQ(state.size(), static_cast<std::size_t>(joins));
  const std::vector<StateKey> one{member("@u1234:test")};
  EXPECT_EQ(db->read([&](ReadTx& tx) { return tx.state().state_for_keys(*last, one); }),
            (StateMap{{member("@u1234:test"), "$e1234"}}));
  // Single-key lookups (what auth checks need) in groups all along the chain.
  constexpr int key_lookups = 200;
  const auto keys_start = std::chrono::steady_clock::now();
  db->read([&](ReadTx& tx) {
    for (int i = 0; i < key_lookups; ++i) {
      // Group g holds users 0..g, so user i*17 is in group joins-1-i*31.
      const std::vector<StateKey> key{member("@u" + std::to_string(i * 17) + ":test")};
      EXPECT_EQ(tx.state().state_for_keys(groups.at(joins - 1 - i * 31), key).size(), 1u);
    }
  });
  const double key_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - keys_start)
          .count() /
      key_lookups;

  // An incremental /sync across one join: the difference of two neighbouring groups.
  const auto difference_start = std::chrono::steady_clock::now();
  const StateDelta last_join = db->read([&](ReadTx& tx) {
    return tx.state().state_difference(groups.at(joins - 2), groups.at(joins - 1));
  });
  const double difference_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - difference_start)
          .count();
  EXPECT_EQ(last_join, (StateDelta{{member("@u9999:test"), "$e9999"}}));

  std::int64_t bytes = 0;
  std::int64_t rows = 0;
  if (GetParam() == Backend::sqlite) {
    db.reset();
    const auto file = dir_ / "test.db";
    std::cout << "[ figures  ] sqlite: the database file grew by "
              << (std::filesystem::file_size(file) - file_before) / joins
              << " bytes per state change (state tables plus page slack)\n";
    for (const char* table : state_tables) {
      bytes += sqlite_number(
          file, std::string("SELECT SUM(pgsize) FROM dbstat WHERE name = '") + table +
                    "' OR name IN (SELECT name FROM sqlite_schema WHERE tbl_name = '" + table +
                    "' AND type = 'index')");
    }
    rows = sqlite_number(file, "SELECT COUNT(*) FROM state_group_entries");
  } else {
    std::string names;
    for (const char* table : state_tables) {
      names += std::string(names.empty() ? "'" : ", '") + schema_ + "." + table + "'";
    }
    bytes = postgres_number(base_url_,
                            "SELECT SUM(pg_total_relation_size(t::regclass)) FROM"
                            " unnest(ARRAY[" +
                                names + "]) AS t");
    rows = postgres_number(base_url_, "SELECT COUNT(*) FROM " + schema_ + ".state_group_entries");
  }
  ASSERT_GT(bytes, 0);
  std::cout << "[ figures  ] " << to_string(GetParam()) << ": " << joins
            << " joins = state changes: " << bytes << " bytes of state history, " << bytes / joins
            << " bytes and " << static_cast<double>(rows) / joins << " entry rows per change; "
            << write_ms / joins * 1000 << " us per group written; full state of " << joins
            << " read in " << lookup_ms << " ms; one key in " << key_us
            << " us; difference of neighbouring groups in " << difference_us << " us\n";
  // Snapshot-per-event storage would need joins²/2 = 50 million rows here.
  EXPECT_LT(rows, joins * 8);
}

}  // namespace
}  // namespace ranvier::storage::test
