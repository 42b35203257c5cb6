#pragma once
// The set-up tests above the pipeline share: a SQLite database of their own, in a temporary
// directory named after the running test and removed after it, and an event pipeline for the
// server "test" to create rooms and send events with.

#include "core/ed25519.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/room_creation.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

namespace ranvier::rooms::testing {

class RoomDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("ranvier-" + std::to_string(::getpid()) + "-" +
                                                     test->test_suite_name() + "-" + test->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = storage::open_database("sqlite://" + (dir_ / "test.db").string());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  /// Creates a room as `request` describes, in one transaction.
  std::string make_room(const RoomCreation& request) {
    return db_->write([&](storage::WriteTx& tx) { return create_room(tx, pipeline_, request); });
  }

  /// Sends `draft` into `room_id`, in one transaction.
  PersistedEvent send(const std::string& room_id, const EventDraft& draft) {
    return db_->write([&](storage::WriteTx& tx) { return pipeline_.send(tx, room_id, draft); });
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  EventPipeline pipeline_{"test", core::SigningKey{"test", core::ed25519_generate()}};
};

}  // namespace ranvier::rooms::testing
