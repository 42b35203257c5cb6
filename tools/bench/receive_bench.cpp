// Inbound PDU ingestion with the full checks on receipt: format, signature (ed25519 verify of
// the sender's server), content hash, auth against the event's auth events and against the
// state before it, soft-fail check, persist — in batches of 50 as one PUT /send transaction
// carries them (one write transaction per batch). The PDUs are messages of a remote user
// chaining on each other; building and signing them (the sender's work) is not timed. The
// figure to reach is ≥ 2,000 PDUs/s on one core (issue 7). SQLite in a temporary directory.
// Run:
//   build/tools/bench/receive_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "core/ed25519.hpp"
#include "core/event.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/received_event.hpp"
#include "rooms/room_creation.hpp"
#include "storage/database.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace core = ranvier::core;
namespace rooms = ranvier::rooms;
namespace storage = ranvier::storage;

namespace {

constexpr int kBatch = 50;
const std::string kRemote = "remote.bench";
const std::string kBob = "@bob:remote.bench";

class OneKey final : public rooms::KeyLookup {
 public:
  explicit OneKey(core::VerifyKey key) : key_(key) {}
  std::optional<core::VerifyKey> key(std::string_view server, std::string_view, std::int64_t) override {
    return server == kRemote ? std::optional(key_) : std::nullopt;
  }

 private:
  core::VerifyKey key_;
};

class Bench {
 public:
  Bench() {
    dir_ = std::filesystem::temp_directory_path() / ("ranvier-receive-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    db_ = storage::open_database("sqlite://" + (dir_ / "bench.db").string());
    rooms::RoomCreation request{.creator = "@owner:bench",
                                .creator_member_content = {{"membership", "join"}},
                                .room_version = "12",
                                .preset = "public_chat"};
    room_id_ = db_->write([&](storage::WriteTx& tx) { return rooms::create_room(tx, pipeline_, request); });
    auto join = remote_event({.type = "m.room.member", .sender = kBob, .state_key = kBob,
                              .content = {{"membership", "join"}}});
    ingest({join});
    template_ = db_->write([&](storage::WriteTx& tx) {
      return pipeline_.prepare(tx, room_id_, {.type = "m.room.message", .sender = kBob, .content = {}});
    });
    last_id_ = template_["prev_events"][0].get<std::string>();
    depth_ = template_["depth"].get<std::int64_t>();
  }
  ~Bench() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  /// The next `count` messages of the chain, signed by the remote server.
  std::vector<nlohmann::json> next_messages(int count) {
    std::vector<nlohmann::json> out;
    for (int i = 0; i < count; ++i) {
      auto ev = template_;
      ev["content"] = {{"msgtype", "m.text"}, {"body", "message " + std::to_string(depth_)}};
      ev["prev_events"] = {last_id_};
      ev["depth"] = depth_++;
      ev["origin_server_ts"] = 1'800'000'000'000 + depth_;
      core::sign_event(ev, *version_, kRemote, remote_key_);
      last_id_ = core::event_id_of(ev, *version_).value_or("");
      out.push_back(std::move(ev));
    }
    return out;
  }

  /// What PUT /send does with a batch: the checks without the database first, then one write
  /// transaction for all. Returns how many were accepted.
  int ingest(const std::vector<nlohmann::json>& pdus) {
    std::vector<rooms::VerifiedPdu> verified;
    for (const auto& pdu : pdus) {
      auto result = rooms::verify_received(pdu, *version_, keys_);
      if (result.verified) {
        verified.push_back(std::move(*result.verified));
      }
    }
    const auto checks = rooms::received_signature_checks("bench", *version_, keys_);
    return db_->write([&](storage::WriteTx& tx) {
      int accepted = 0;
      for (const auto& pdu : verified) {
        accepted += pipeline_.receive(tx, pdu, checks).status == rooms::ReceiveStatus::accepted ? 1 : 0;
      }
      return accepted;
    });
  }

 private:
  nlohmann::json remote_event(const rooms::EventDraft& draft) {
    auto ev = db_->write([&](storage::WriteTx& tx) { return pipeline_.prepare(tx, room_id_, draft); });
    core::sign_event(ev, *version_, kRemote, remote_key_);
    return ev;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  rooms::EventPipeline pipeline_{"bench", core::SigningKey{"ed25519:b", core::ed25519_generate()}};
  core::SigningKey remote_key_{"ed25519:r", core::ed25519_generate()};
  OneKey keys_{core::VerifyKey{remote_key_.pair.public_key}};
  const core::RoomVersion* version_ = core::find_room_version("12");
  std::string room_id_;
  nlohmann::json template_;
  std::string last_id_;
  std::int64_t depth_ = 0;
};

void BM_ReceiveBatchOf50(benchmark::State& state) {
  static Bench bench;
  std::int64_t accepted = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto pdus = bench.next_messages(kBatch);
    state.ResumeTiming();
    accepted += bench.ingest(pdus);
  }
  if (accepted != static_cast<std::int64_t>(state.iterations()) * kBatch) {
    state.SkipWithError("some PDUs were not accepted");
  }
  state.SetItemsProcessed(accepted);
}
BENCHMARK(BM_ReceiveBatchOf50)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
