#pragma once
// The fixture every storage test uses: one instance per backend, SQLite in a temporary
// directory, PostgreSQL in a fresh schema of $RANVIER_TEST_POSTGRES_URL (skipped, visibly,
// when the variable is unset; ci/postgres.sh starts a throw-away server). Test files add
// TEST_P(StorageTest, ...); storage_test.cpp instantiates the suite once for all of them.

#include "storage/database.hpp"
#include "storage/errors.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace ranvier::storage::test {

inline constexpr std::int64_t t0 = 1'700'000'000'000;

inline Account user(std::string user_id, bool admin = false) {
  return Account{.user_id = std::move(user_id),
                 .password_hash = "$argon2id$fake",
                 .is_admin = admin,
                 .created_ts = t0};
}

inline Device device(std::string user_id, std::string device_id) {
  return Device{.user_id = std::move(user_id),
                .device_id = std::move(device_id),
                .display_name = "phone",
                .created_ts = t0};
}

/// A message event of `room_id` sent by @alice:test at `depth` (origin_server_ts t0 + depth).
inline NewEvent message(std::string room_id, std::string event_id, std::int64_t depth,
                        std::vector<std::string> prev = {}, std::vector<std::string> auth = {}) {
  NewEvent event;
  event.event_id = std::move(event_id);
  event.room_id = std::move(room_id);
  event.type = "m.room.message";
  event.sender = "@alice:test";
  event.depth = depth;
  event.origin_server_ts = t0 + depth;
  event.json = R"({"event_id":")" + event.event_id + R"(","body":"hi"})";
  event.prev_events = std::move(prev);
  event.auth_events = std::move(auth);
  return event;
}

/// The IDs of `events`, in their order.
inline std::vector<std::string> ids_of(const std::vector<StoredEvent>& events) {
  std::vector<std::string> ids;
  for (const StoredEvent& event : events) {
    ids.push_back(event.event_id);
  }
  return ids;
}

inline std::string random_suffix() {
  std::random_device source;
  return std::to_string(source()) + std::to_string(source());
}

// Runs SQL on the test server outside the code under test (schema set-up and clean-up).
inline void postgres_admin(const std::string& url, const std::string& command) {
  PGconn* conn = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* result = PQexec(conn, ("SET client_min_messages = warning; " + command).c_str());
  const ExecStatusType status = PQresultStatus(result);
  EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
      << PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
}

class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::sqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("ranvier-storage-" + random_suffix());
      std::filesystem::create_directories(dir_);
      url_ = "sqlite://" + (dir_ / "test.db").string();
      return;
    }
    const char* base = std::getenv("RANVIER_TEST_POSTGRES_URL");
    if (base == nullptr || *base == '\0') {
      GTEST_SKIP() << "RANVIER_TEST_POSTGRES_URL is not set (ci/postgres.sh start prints one)";
    }
    base_url_ = base;
    // A schema per test keeps tests independent on one shared database.
    schema_ = "ranvier_test_" + random_suffix();
    postgres_admin(base_url_, "CREATE SCHEMA " + schema_);
    url_ = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema_;
  }

  void TearDown() override {
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
    if (!schema_.empty()) {
      postgres_admin(base_url_, "DROP SCHEMA " + schema_ + " CASCADE");
    }
  }

  std::unique_ptr<Database> open(const OpenOptions& options = {}) {
    return open_database(url_, options);
  }

  // Opens with a migration list of our choosing, as an older or newer ranvier would.
  std::unique_ptr<Database> open_with(std::span<const sql::Migration> migrations) {
    if (GetParam() == Backend::sqlite) {
      return sqlite::open((dir_ / "test.db").string(), {}, migrations);
    }
    return postgres::open(url_, url_, {}, migrations);
  }

  std::span<const sql::Migration> shipped_migrations() const {
    return GetParam() == Backend::sqlite ? sqlite::migrations() : postgres::migrations();
  }

  std::filesystem::path dir_;
  std::string base_url_;
  std::string schema_;
  std::string url_;
};

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return std::string(to_string(info.param));
}

}  // namespace ranvier::storage::test
