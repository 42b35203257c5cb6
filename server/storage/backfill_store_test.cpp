// Backfill storage on every backend (migration 0023): backfilled events below stream zero and
// out of /sync's reach, outliers promoted into the timeline, and backward extremities.

#include "storage/storage_test_fixture.hpp"

namespace ranvier::storage::test {
namespace {

TEST_P(StorageTest, BackfilledEventsCountDownBelowZeroAndStayOutOfTheStream) {
  auto db = open();
  db->write([](WriteTx& tx) {
    EXPECT_EQ(tx.events().insert(message("!r:test", "$join", 10, {"$m9"})).stream, 1);
    auto older = message("!r:test", "$m9", 9, {"$m8"});
    older.backfilled = true;
    EXPECT_EQ(tx.events().insert(older).stream, -1);
    auto oldest = message("!r:test", "$m8", 8, {});
    oldest.backfilled = true;
    EXPECT_EQ(tx.events().insert(oldest).stream, -2);
    EXPECT_EQ(tx.events().insert(message("!r:test", "$next", 11, {"$join"})).stream, 2);
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(tx.events().max_stream(), 2);
    // /sync counts from zero up: history fetched later is not news.
    EXPECT_EQ(ids_of(tx.events().room_events("!r:test", 0, 2, Direction::forward, 10)),
              (std::vector<std::string>{"$join", "$next"}));
    // /messages walks the DAG order, where it belongs.
    EXPECT_EQ(ids_of(tx.events().room_messages("!r:test", {100, 0}, Direction::backward, 10)),
              (std::vector<std::string>{"$next", "$join", "$m9", "$m8"}));
  });
}

TEST_P(StorageTest, OutliersArePromotedIntoTheTimeline) {
  auto db = open();
  db->write([](WriteTx& tx) {
    auto state = message("!r:test", "$state", 3, {});
    state.outlier = true;
    tx.events().insert(state);
  });
  EXPECT_TRUE(db->read([](ReadTx& tx) {
                  return tx.events().room_messages("!r:test", {100, 0}, Direction::backward, 10);
                }).empty());
  db->write([](WriteTx& tx) {
    EXPECT_TRUE(tx.events().promote_outlier("$state"));
    EXPECT_FALSE(tx.events().promote_outlier("$state"));
    EXPECT_FALSE(tx.events().promote_outlier("$unknown"));
  });
  db->read([](ReadTx& tx) {
    EXPECT_EQ(ids_of(tx.events().room_messages("!r:test", {100, 0}, Direction::backward, 10)),
              (std::vector<std::string>{"$state"}));
    EXPECT_FALSE(tx.events().get("$state")->outlier);
  });
}

TEST_P(StorageTest, BackwardExtremitiesMoveBackAsHistoryArrives) {
  auto db = open();
  db->write([](WriteTx& tx) {
    auto outlier = message("!r:test", "$outlier", 7, {});
    outlier.outlier = true;
    tx.events().insert(outlier);
    tx.events().insert(message("!r:test", "$join", 10, {"$m9", "$outlier"}));
    // Prev events held only as outliers still lack their place in the DAG.
    tx.rooms().extend_history("!r:test", "$join", std::vector<std::string>{"$m9", "$outlier"});
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().backward_extremities("!r:test"); }),
            (std::vector<std::string>{"$m9", "$outlier"}));
  db->write([](WriteTx& tx) {
    auto m9 = message("!r:test", "$m9", 9, {"$m8"});
    m9.backfilled = true;
    tx.events().insert(m9);
    tx.rooms().extend_history("!r:test", "$m9", std::vector<std::string>{"$m8"});
    tx.events().promote_outlier("$outlier");
    tx.rooms().extend_history("!r:test", "$outlier", std::vector<std::string>{"$m9"});
  });
  EXPECT_EQ(db->read([](ReadTx& tx) { return tx.rooms().backward_extremities("!r:test"); }),
            (std::vector<std::string>{"$m8"}));
  EXPECT_TRUE(db->read([](ReadTx& tx) { return tx.rooms().backward_extremities("!other:test"); }).empty());
}

}  // namespace
}  // namespace ranvier::storage::test
