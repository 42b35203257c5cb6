// A message into a room with many local members: persist plus push-rule evaluation for every
// member and the stored notification rows, all in the send's transaction. The figure to reach
// is ≤ 5 ms with 1,000 local members (issue 6). The one-member room is the same send with no
// one to notify, so the difference is what counting costs. SQLite in a temporary directory;
// set RANVIER_BENCH_POSTGRES_URL to run the PostgreSQL variants too (the database must be
// empty: the benchmark creates its tables there). Run:
//   build/tools/bench/notification_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "core/ed25519.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/room_creation.hpp"
#include "storage/database.hpp"
#include "storage/migrate/pg_client.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>

namespace rooms = ranvier::rooms;
namespace storage = ranvier::storage;

namespace {

const std::string kOwner = "@owner:bench";

/// One database with one room per member count, built on first use.
class Bench {
 public:
  explicit Bench(const std::string& url) : url_(url), db_(storage::open_database(url)) {}

  /// The room with this many members; building one ends with fresh PostgreSQL statistics, as a
  /// server that has run a while has them (before autovacuum gets to the new tables, the planner
  /// takes the 1,000-member room for a one-row one and the timings depend on when it wakes).
  const std::string& room(int members) {
    auto it = rooms_.find(members);
    if (it != rooms_.end()) {
      return it->second;
    }
    const auto& room_id = build_room(members);
    if (url_.starts_with("postgres")) {
      storage::migrate::PgClient(url_).execute("ANALYZE");
    }
    return room_id;
  }

 private:
  const std::string& build_room(int members) {
    rooms::RoomCreation request{.creator = kOwner,
                                .creator_member_content = {{"membership", "join"}, {"displayname", "Owner"}},
                                .room_version = "12",
                                .preset = "public_chat"};
    const auto room_id = db_->write([&](storage::WriteTx& tx) { return rooms::create_room(tx, pipeline_, request); });
    for (int i = 1; i < members; ++i) {
      const std::string user = "@m" + std::to_string(members) + "_" + std::to_string(i) + ":bench";
      db_->write([&](storage::WriteTx& tx) {
        pipeline_.send(tx, room_id,
                       {.type = "m.room.member",
                        .sender = user,
                        .state_key = user,
                        .content = {{"membership", "join"}, {"displayname", "Member " + std::to_string(i)}}});
      });
    }
    return rooms_.emplace(members, room_id).first->second;
  }

 public:
  void send(const std::string& room_id) {
    db_->write([&](storage::WriteTx& tx) {
      pipeline_.send(tx, room_id,
                     {.type = "m.room.message",
                      .sender = kOwner,
                      .content = {{"msgtype", "m.text"}, {"body", "An ordinary message to everyone in the room"}}});
    });
  }

 private:
  std::string url_;
  std::unique_ptr<storage::Database> db_;
  rooms::EventPipeline pipeline_{"bench", ranvier::core::SigningKey{"bench", ranvier::core::ed25519_generate()}};
  std::map<int, std::string> rooms_;
};

Bench& sqlite_bench() {
  static const auto dir = std::filesystem::temp_directory_path() / ("ranvier-notif-bench-" + std::to_string(::getpid()));
  static Bench bench = [] {
    std::filesystem::create_directories(dir);
    std::atexit([] { std::filesystem::remove_all(dir); });
    return Bench("sqlite://" + (dir / "bench.db").string());
  }();
  return bench;
}

Bench* postgres_bench() {
  static std::unique_ptr<Bench> bench = []() -> std::unique_ptr<Bench> {
    const char* url = std::getenv("RANVIER_BENCH_POSTGRES_URL");
    return url != nullptr ? std::make_unique<Bench>(url) : nullptr;
  }();
  return bench.get();
}

void run(benchmark::State& state, Bench& bench) {
  const auto& room_id = bench.room(static_cast<int>(state.range(0)));
  bench.send(room_id);  // warms the caches of rulesets and display names
  for (auto _ : state) {
    bench.send(room_id);
  }
}

void BM_SendMessageSqlite(benchmark::State& state) { run(state, sqlite_bench()); }
BENCHMARK(BM_SendMessageSqlite)->Arg(1)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SendMessagePostgres(benchmark::State& state) {
  auto* bench = postgres_bench();
  if (bench == nullptr) {
    state.SkipWithError("RANVIER_BENCH_POSTGRES_URL is not set");
    return;
  }
  run(state, *bench);
}
BENCHMARK(BM_SendMessagePostgres)->Arg(1)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

