// Push-rule evaluation: one event against one user's rules. The figure to reach is ≤ 3 µs for a
// message event against the default rules (issue 6). Run:
//   build/tools/bench/push_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>

#include "push/evaluate.hpp"
#include "push/ruleset.hpp"

namespace push = ranvier::push;
using nlohmann::json;

namespace {

constexpr const char* kUser = "@alice:example.org";

// A typical client-format message of a few hundred bytes, mentioning somebody else.
json typical_message() {
  return {
      {"type", "m.room.message"},
      {"sender", "@bob:example.org"},
      {"room_id", "!OGEhHVWSdvArJzumhm:matrix.example.org"},
      {"event_id", "$Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg"},
      {"origin_server_ts", 1732866000123},
      {"content",
       {{"msgtype", "m.text"},
        {"body", "Here is a fairly ordinary chat message, long enough to look like real traffic: "
                 "links, a little punctuation, some unicode — café, 日本語 — and a mention of "
                 "@carol:example.org so that the body is a few hundred bytes in total."},
        {"m.mentions", {{"user_ids", {"@carol:example.org"}}}}}},
  };
}

const push::PushContext& group_room() {
  static const json levels = {{"room", 50}};
  static const push::PushContext context{.member_count = 40,
                                         .display_name = "Alice",
                                         .sender_power_level = 0,
                                         .notification_levels = &levels};
  return context;
}

void run(benchmark::State& state, const push::Ruleset& rules, const json& event) {
  for (auto _ : state) {
    auto match = push::evaluate(rules, event, group_room());
    benchmark::DoNotOptimize(match);
  }
}

void BM_DefaultRulesMessage(benchmark::State& state) {
  const push::Ruleset rules = push::Ruleset::defaults_for(kUser);
  run(state, rules, typical_message());
}
BENCHMARK(BM_DefaultRulesMessage);

void BM_DefaultRulesUserMention(benchmark::State& state) {
  const push::Ruleset rules = push::Ruleset::defaults_for(kUser);
  json event = typical_message();
  event["content"]["m.mentions"]["user_ids"].push_back(kUser);
  run(state, rules, event);
}
BENCHMARK(BM_DefaultRulesUserMention);

// Ten keyword (content) rules that do not match: each scans the body at word boundaries.
void BM_TenKeywordRulesMessage(benchmark::State& state) {
  push::Ruleset rules = push::Ruleset::defaults_for(kUser);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "keyword" + std::to_string(i);
    (void)rules.put(push::RuleKind::content, id,
                    {{"actions", {"notify"}}, {"pattern", "deploy" + std::to_string(i) + "*"}});
  }
  run(state, rules, typical_message());
}
BENCHMARK(BM_TenKeywordRulesMessage);

void BM_BuildDefaultRuleset(benchmark::State& state) {
  for (auto _ : state) {
    auto rules = push::Ruleset::defaults_for(kUser);
    benchmark::DoNotOptimize(rules);
  }
}
BENCHMARK(BM_BuildDefaultRuleset);

}  // namespace
