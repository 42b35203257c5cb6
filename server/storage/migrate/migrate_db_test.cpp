// migrate-db end to end at library level: a SQLite database filled through raw SQL (every
// type difference the schemas have: booleans, FTS5, json, identity and AUTOINCREMENT keys,
// sequences) copied into a fresh PostgreSQL schema. Skipped without RANVIER_TEST_POSTGRES_URL.

#include "storage/migrate/migrate_db.hpp"
#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/pg_client.hpp"
#include "storage/storage_test_fixture.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace ranvier::storage::migrate {
namespace {

using storage::test::postgres_admin;
using storage::test::random_suffix;

class MigrateDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("RANVIER_TEST_POSTGRES_URL");
    if (base == nullptr || *base == '\0') {
      GTEST_SKIP() << "RANVIER_TEST_POSTGRES_URL is not set (ci/postgres.sh start prints one)";
    }
    base_url_ = base;
    schema_ = "ranvier_migrate_" + random_suffix();
    postgres_admin(base_url_, "CREATE SCHEMA " + schema_);
    target_ = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
              "options=-csearch_path%3D" + schema_;
    dir_ = std::filesystem::temp_directory_path() / ("ranvier-migrate-" + random_suffix());
    std::filesystem::create_directories(dir_);
    source_ = (dir_ / "source.db").string();
    open_database("sqlite://" + source_).reset();
    fill_source();
  }

  void TearDown() override {
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
    if (!schema_.empty()) {
      postgres_admin(base_url_, "DROP SCHEMA " + schema_ + " CASCADE");
    }
  }

  void sqlite_exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(source_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  void fill_source() {
    sqlite_exec(R"sql(
      INSERT INTO accounts (user_id, password_hash, is_admin, created_ts) VALUES
        ('@alice:hs', '$argon2id$x', 1, 1000), ('@bob:hs', NULL, 0, 2000);
      INSERT INTO devices (user_id, device_id, created_ts) VALUES ('@alice:hs', 'DEV', 1000);
      INSERT INTO access_tokens (token_hash, user_id, device_id, created_ts)
        VALUES ('hash', '@alice:hs', 'DEV', 1000);
      INSERT INTO rooms (room_id, room_version, created_ts, creator, is_public)
        VALUES ('!r:hs', '12', 1000, '@alice:hs', 1);
      INSERT INTO events (event_id, room_id, type, state_key, sender, depth, origin_server_ts,
                          json, stream)
        VALUES ('$a', '!r:hs', 'm.room.create', '', '@alice:hs', 1, 1000, '{"x":1}', 1),
               ('$b', '!r:hs', 'm.room.message', NULL, '@alice:hs', 2, 1001, '{"y":"é"}', 2);
      UPDATE event_stream SET position = 2;
      INSERT INTO event_search (rowid, key, body) VALUES (2, 'content.body', 'Wherefore art thou');
      INSERT INTO state_groups (group_id, room_id, parent_id, base_id, position)
        VALUES (1, '!r:hs', NULL, NULL, 0), (2, '!r:hs', 1, 1, 1);
      INSERT INTO state_keys (key_nid, type, state_key) VALUES (1, 'm.room.create', ''),
        (2, 'k2', ''), (3, 'k3', ''), (4, 'k4', ''), (5, 'k5', ''), (6, 'k6', ''), (7, 'k7', ''),
        (8, 'k8', ''), (9, 'k9', ''), (10, 'k10', ''), (11, 'k11', '');
      INSERT INTO state_group_entries (group_id, key_nid, event_nid) VALUES (1, 1, 1);
      INSERT INTO event_state_groups (event_nid, group_id) VALUES (1, 1), (2, 2);
      INSERT INTO filters (user_id, filter) VALUES ('@alice:hs', '{}'), ('@alice:hs', '{}'),
                                                   ('@alice:hs', '{}');
      DELETE FROM filters WHERE filter_id = 3;
      INSERT INTO account_data (user_id, room_id, type, content, stream_id)
        VALUES ('@alice:hs', '', 'm.direct', '{}', 7);
      INSERT INTO push_events (stream, room_id, thread_id, event_id, ts, actions)
        VALUES (2, '!r:hs', 'main', '$b', 1001, '[["notify"]]');
    )sql");
  }

  MigrateOptions options(std::int64_t batch = 1000) {
    MigrateOptions out;
    out.source_path = source_;
    out.target_url = target_;
    out.batch_size = batch;
    out.report = [this](const std::string& line) { lines_.push_back(line); };
    return out;
  }

  std::string target_value(const std::string& sql) {
    PgClient pg(target_);
    auto rows = pg.query(sql);
    return rows.empty() || !rows[0].at(0) ? "<null>" : *rows[0][0];
  }

  std::string base_url_;
  std::string schema_;
  std::string target_;
  std::filesystem::path dir_;
  std::string source_;
  std::vector<std::string> lines_;
};

TEST_F(MigrateDbTest, CopiesConvertsAndVerifiesEveryTable) {
  const MigrateResult result = migrate_sqlite_to_postgres(options(1));
  EXPECT_FALSE(result.resumed);
  bool saw_events = false;
  for (const auto& [name, summary] : result.tables) {
    if (name == "events") {
      saw_events = true;
      EXPECT_EQ(summary.rows, 2);
    }
  }
  EXPECT_TRUE(saw_events);
  EXPECT_EQ(target_value("SELECT is_admin::text FROM accounts WHERE user_id = '@alice:hs'"), "true");
  EXPECT_EQ(target_value("SELECT json FROM events WHERE event_id = '$b'"), "{\"y\":\"é\"}");
  EXPECT_EQ(target_value("SELECT position::text FROM event_stream"), "2");
  EXPECT_EQ(target_value("SELECT stream::text FROM event_search"
                         " WHERE vector @@ plainto_tsquery('english', 'wherefore')"),
            "2");
  EXPECT_EQ(target_value("SELECT actions::text FROM push_events"), "[[\"notify\"]]");
  // Sequences continue after the copied numbers; AUTOINCREMENT's high-water mark counts.
  EXPECT_EQ(target_value("SELECT nextval(pg_get_serial_sequence('filters', 'filter_id'))::text"), "4");
  EXPECT_EQ(target_value("SELECT nextval('state_groups_group_id_seq')::text"), "3");
  EXPECT_EQ(target_value("SELECT nextval('account_data_stream')::text"), "8");
  EXPECT_EQ(target_value("SELECT nextval('device_inbox_stream_id_seq')::text"), "1");
  EXPECT_EQ(incomplete_migration(target_), std::nullopt);
  EXPECT_NE(std::find(lines_.begin(), lines_.end(), "events: 2 / 2 rows"), lines_.end());

  // The server's own stores read the copy.
  auto db = open_database(target_);
  auto account = db->read([](ReadTx& tx) { return tx.accounts().get("@alice:hs"); });
  ASSERT_TRUE(account.has_value());
  EXPECT_TRUE(account->is_admin);
}

TEST_F(MigrateDbTest, RefusesATargetHoldingDataAndLeavesItAlone) {
  migrate_sqlite_to_postgres(options());
  PgClient(target_).execute("DELETE FROM access_tokens");
  try {
    migrate_sqlite_to_postgres(options());
    FAIL() << "wrote into a non-empty target";
  } catch (const MigrateError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("accounts: 2 rows"), std::string::npos) << what;
    EXPECT_NE(what.find("--force"), std::string::npos) << what;
  }
  EXPECT_EQ(target_value("SELECT COUNT(*)::text FROM access_tokens"), "0");
  EXPECT_EQ(incomplete_migration(target_), std::nullopt);
  // --force empties it and copies again.
  auto forced = options();
  forced.force = true;
  migrate_sqlite_to_postgres(forced);
  EXPECT_EQ(target_value("SELECT COUNT(*)::text FROM access_tokens"), "1");
}

TEST_F(MigrateDbTest, AnInterruptedCopyIsMarkedAndResumes) {
  auto failing = options(1);
  failing.fail_after_rows = 3;
  EXPECT_THROW(migrate_sqlite_to_postgres(failing), MigrateError);
  const auto marker = incomplete_migration(target_);
  ASSERT_TRUE(marker.has_value());
  EXPECT_NE(marker->find("unfinished"), std::string::npos) << *marker;
  const std::string copied = target_value("SELECT SUM(rows_done)::text FROM ranvier_migrate_db_progress");
  EXPECT_EQ(copied, "3");

  const MigrateResult result = migrate_sqlite_to_postgres(options(2));
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(incomplete_migration(target_), std::nullopt);
  EXPECT_EQ(target_value("SELECT COUNT(*)::text FROM events"), "2");
  EXPECT_EQ(target_value("SELECT COUNT(*)::text FROM accounts"), "2");
}

TEST_F(MigrateDbTest, AChangedSourceIsNotResumed) {
  auto failing = options(1);
  failing.fail_after_rows = 1;
  EXPECT_THROW(migrate_sqlite_to_postgres(failing), MigrateError);
  sqlite_exec("INSERT INTO accounts (user_id, created_ts) VALUES ('@carol:hs', 3000)");
  try {
    migrate_sqlite_to_postgres(options());
    FAIL() << "resumed over a changed source";
  } catch (const MigrateError& error) {
    EXPECT_NE(std::string(error.what()).find("the source changed"), std::string::npos)
        << error.what();
  }
}

TEST_F(MigrateDbTest, AnUnreachableTargetIsAClearError) {
  auto unreachable = options();
  unreachable.target_url = "postgres://nobody@127.0.0.1:1/none?connect_timeout=2";
  try {
    migrate_sqlite_to_postgres(unreachable);
    FAIL() << "connected to nothing";
  } catch (const MigrateError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot connect to PostgreSQL"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace ranvier::storage::migrate
