// Protocol-core hot paths: canonical encoding, event IDs, and full PDU verification against the
// raw libsodium verify of the same bytes (the figure to reach is ≥ 80 % of the raw rate).
// Run (interleaving keeps a busy machine from favouring one side of the ratio):
//   build/tools/bench/core_bench --benchmark_repetitions=12 \
//     --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <string>

#include "core/base64.hpp"
#include "core/canonical_json.hpp"
#include "core/event.hpp"
#include "core/pdu_format.hpp"
#include "core/redaction.hpp"

namespace core = ranvier::core;
using nlohmann::json;

namespace {

const core::RoomVersion& v11() { return *core::find_room_version("11"); }

const core::SigningKey& bench_key() {
  static const core::SigningKey key = *core::make_signing_key("bench", core::Ed25519Seed{7, 7, 7});
  return key;
}

// A typical message PDU of about 1 KB of canonical JSON once signed.
const json& typical_pdu() {
  static const json pdu = [] {
    json ev = {
        {"type", "m.room.message"},
        {"sender", "@alice:matrix.example.org"},
        {"room_id", "!OGEhHVWSdvArJzumhm:matrix.example.org"},
        {"origin_server_ts", 1732866000123},
        {"depth", 4711},
        {"auth_events",
         {"$Qzp1h6a5RdI3Nqy7qoG2s4a5ufQbDqS8iVu2pRmmXoc", "$9xCyFj8zUzLt4u1ZkzQ2wvRUfSBSGmWHVPz1iAp5l0E",
          "$k1Z8vKjQ0Kk6Z2hHsB6d4m0C2Zb7p1Zr3Lw9T8GxQ2Y"}},
        {"prev_events", {"$Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg"}},
        {"content",
         {{"msgtype", "m.text"},
          {"body", "Here is a fairly ordinary chat message, long enough to look like real traffic: "
                   "links, a little punctuation, some unicode — café, 日本語 — and a mention of "
                   "@bob:example.org so that the body is a few hundred bytes in total."},
          {"format", "org.matrix.custom.html"},
          {"formatted_body", "Here is a <b>fairly ordinary</b> chat message with a "
                             "<a href=\"https://matrix.to/#/@bob:example.org\">mention</a>."},
          {"m.mentions", {{"user_ids", {"@bob:example.org"}}}}}},
        {"unsigned", {{"age_ts", 1732866000123}}},
    };
    core::sign_event(ev, v11(), "matrix.example.org", bench_key());
    return ev;
  }();
  return pdu;
}

const core::VerifyKeyLookup& bench_lookup() {
  static const core::VerifyKeyLookup lookup = [](std::string_view, std::string_view key_id)
      -> std::optional<core::VerifyKey> {
    if (key_id != bench_key().key_id) {
      return std::nullopt;
    }
    return core::VerifyKey{bench_key().pair.public_key};
  };
  return lookup;
}

void BM_CanonicalEncodePdu(benchmark::State& state) {
  const json& pdu = typical_pdu();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto out = core::canonical_json(pdu);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["pdu_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_CanonicalEncodePdu);

void BM_ParseStrictPdu(benchmark::State& state) {
  const std::string text = core::canonical_json(typical_pdu());
  for (auto _ : state) {
    auto parsed = core::parse_json_strict(text);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseStrictPdu);

void BM_EventId(benchmark::State& state) {
  const json& pdu = typical_pdu();
  for (auto _ : state) {
    auto id = core::event_id_of(pdu, v11());
    benchmark::DoNotOptimize(id);
  }
}
BENCHMARK(BM_EventId);

void BM_ContentHash(benchmark::State& state) {
  const json& pdu = typical_pdu();
  for (auto _ : state) {
    auto hash = core::content_hash(pdu);
    benchmark::DoNotOptimize(hash);
  }
}
BENCHMARK(BM_ContentHash);

void BM_CheckPduFormat(benchmark::State& state) {
  const json& pdu = typical_pdu();
  for (auto _ : state) {
    auto issue = core::check_pdu_format(pdu, v11());
    benchmark::DoNotOptimize(issue);
  }
}
BENCHMARK(BM_CheckPduFormat);

void BM_VerifyPduFull(benchmark::State& state) {
  const json& pdu = typical_pdu();
  for (auto _ : state) {
    auto result = core::verify_event(pdu, v11(), bench_lookup());
    if (result.verdict != core::EventVerdict::accept) {
      state.SkipWithError("verification failed");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_VerifyPduFull);

void BM_RawEd25519VerifySameBytes(benchmark::State& state) {
  const json& pdu = typical_pdu();
  const std::string signable = core::redacted_signable_json(pdu, v11());
  const auto sig = *core::base64_decode(
      pdu["signatures"]["matrix.example.org"][bench_key().key_id].get<std::string>());
  const auto& pk = bench_key().pair.public_key;
  for (auto _ : state) {
    const int rc = crypto_sign_verify_detached(
        reinterpret_cast<const unsigned char*>(sig.data()),
        reinterpret_cast<const unsigned char*>(signable.data()), signable.size(), pk.data());
    if (rc != 0) {
      state.SkipWithError("raw verification failed");
      break;
    }
    benchmark::DoNotOptimize(rc);
  }
  state.counters["signed_bytes"] = static_cast<double>(signable.size());
}
BENCHMARK(BM_RawEd25519VerifySameBytes);

// For scale: raw verify over the whole ~1 KB canonical PDU (what a naive scheme would sign).
void BM_RawEd25519VerifyWholePdu(benchmark::State& state) {
  const std::string whole = core::canonical_json(typical_pdu());
  const auto sig = core::ed25519_sign(bench_key().pair, whole);
  const auto& pk = bench_key().pair.public_key;
  for (auto _ : state) {
    const int rc = crypto_sign_verify_detached(
        sig.data(), reinterpret_cast<const unsigned char*>(whole.data()), whole.size(), pk.data());
    benchmark::DoNotOptimize(rc);
  }
  state.counters["signed_bytes"] = static_cast<double>(whole.size());
}
BENCHMARK(BM_RawEd25519VerifyWholePdu);

}  // namespace
