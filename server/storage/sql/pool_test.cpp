#include "storage/sql/pool.hpp"

#include "storage/errors.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace ranvier::storage::sql {
namespace {

class FakeSession final : public Session {
 public:
  explicit FakeSession(std::atomic<int>& alive) : alive_(alive) { ++alive_; }
  ~FakeSession() override { --alive_; }
  std::vector<Row> query(StaticSql, std::span<const Param>) override { return {}; }
  std::int64_t execute(StaticSql, std::span<const Param>) override { return 0; }
  void execute_script(std::string_view) override {}
  bool healthy() const override { return healthy_; }
  bool healthy_ = true;

 private:
  std::atomic<int>& alive_;
};

struct PoolFixture : ::testing::Test {
  std::atomic<int> alive{0};
  std::atomic<int> connects{0};
  ConnectionPool::Connect counting_connect() {
    return [this] {
      ++connects;
      return std::make_unique<FakeSession>(alive);
    };
  }
};

TEST_F(PoolFixture, ReusesIdleConnectionsAndStaysWithinBound) {
  ConnectionPool pool("test", 2, counting_connect(), std::chrono::milliseconds(50));
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    EXPECT_EQ(pool.stats().in_use, 2u);
    EXPECT_THROW(
        {
          try {
            pool.acquire();
          } catch (const StorageError& error) {
            EXPECT_EQ(error.kind(), ErrorKind::pool_timeout);
            throw;
          }
        },
        StorageError);
  }
  auto c = pool.acquire();
  PoolStats stats = pool.stats();
  EXPECT_EQ(connects.load(), 2);
  EXPECT_EQ(stats.open_connections, 2u);
  EXPECT_EQ(stats.in_use, 1u);
  EXPECT_EQ(stats.acquired_total, 3u);
  EXPECT_EQ(stats.waited_total, 1u);
  EXPECT_EQ(stats.wait_timeouts_total, 1u);
  EXPECT_GT(stats.wait_seconds_total, 0.04);
}

TEST_F(PoolFixture, WaiterGetsTheConnectionAnotherThreadReturns) {
  ConnectionPool pool("test", 1, counting_connect(), std::chrono::seconds(10));
  std::optional<ConnectionPool::Lease> held(pool.acquire());
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    held.reset();
  });
  auto lease = pool.acquire();
  releaser.join();
  EXPECT_EQ(connects.load(), 1);
  EXPECT_EQ(pool.stats().waited_total, 1u);
}

TEST_F(PoolFixture, BrokenConnectionsAreClosedNotReused) {
  ConnectionPool pool("test", 1, counting_connect(), std::chrono::milliseconds(50));
  {
    auto lease = pool.acquire();
    static_cast<FakeSession&>(*lease).healthy_ = false;
  }
  EXPECT_EQ(alive.load(), 0);
  EXPECT_EQ(pool.stats().open_connections, 0u);
  auto lease = pool.acquire();
  EXPECT_EQ(connects.load(), 2);
}

TEST_F(PoolFixture, FailedConnectFreesItsSlot) {
  int attempts = 0;
  ConnectionPool pool(
      "test", 1,
      [&]() -> std::unique_ptr<Session> {
        if (++attempts == 1) {
          throw StorageError(ErrorKind::unavailable, "down");
        }
        return std::make_unique<FakeSession>(alive);
      },
      std::chrono::milliseconds(50));
  EXPECT_THROW(pool.acquire(), StorageError);
  EXPECT_EQ(pool.stats().open_connections, 0u);
  EXPECT_EQ(pool.stats().in_use, 0u);
  auto lease = pool.acquire();
  EXPECT_EQ(pool.stats().open_connections, 1u);
}

}  // namespace
}  // namespace ranvier::storage::sql
