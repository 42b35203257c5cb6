// State resolution and auth-check benchmarks (issue 4). Equivalents of ruma-state-res's
// published benchmarks, a synthetic 10k-state room with 1k conflicted events, growth from 1k
// to 100k state events, and one auth check against a 1,000-member room.
// Memory: a counting global allocator reports bytes allocated and peak live bytes per resolve
// (switched on only for the large synthetic rooms, so it does not skew the small timings).

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/auth/event_auth.hpp"
#include "core/auth/memory_event_store.hpp"
#include "core/state_res/state_res.hpp"

namespace {

std::atomic<bool> counting{false};
std::atomic<std::size_t> allocated_bytes{0};
std::atomic<std::int64_t> live_bytes{0};
std::atomic<std::int64_t> peak_live_bytes{0};

}  // namespace

namespace {

void count_allocation(void* p) {
  if (counting.load(std::memory_order_relaxed)) {
    auto usable = malloc_usable_size(p);
    allocated_bytes += usable;
    std::int64_t live = live_bytes += static_cast<std::int64_t>(usable);
    std::int64_t peak = peak_live_bytes.load();
    while (live > peak && !peak_live_bytes.compare_exchange_weak(peak, live)) {
    }
  }
}

// Out of line so the compiler does not pair the inlined free() with operator new and warn.
[[gnu::noinline]] void release(void* p) {
  if (counting.load(std::memory_order_relaxed)) {
    live_bytes -= static_cast<std::int64_t>(malloc_usable_size(p));
  }
  std::free(p);
}

}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  count_allocation(p);
  return p;
}

// The aligned forms too: std::pmr's new_delete_resource (behind the resolution arena) uses them.
void* operator new(std::size_t size, std::align_val_t align) {
  auto alignment = std::max(static_cast<std::size_t>(align), sizeof(void*));
  void* p = std::aligned_alloc(alignment, (std::max<std::size_t>(size, 1) + alignment - 1) / alignment * alignment);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  count_allocation(p);
  return p;
}

void operator delete(void* p) noexcept {
  if (p != nullptr) {
    release(p);
  }
}

void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { operator delete(p); }

namespace {

using nlohmann::json;
using ranvier::auth::MemoryEventStore;
using ranvier::state_res::StateMap;
namespace core = ranvier::core;
namespace state_res = ranvier::state_res;

const core::RoomVersion& v10 = *core::find_room_version("10");

std::string user(std::size_t i) { return "@u" + std::to_string(i) + ":example.org"; }

// Builds events by hand (no auth checks) so large rooms are cheap to set up.
struct RoomBuilder {
  MemoryEventStore store;
  std::size_t counter = 0;
  std::string last;

  std::string add(const std::string& type, const std::string& sender, const std::string& state_key, json content,
                  std::vector<std::string> auth, std::vector<std::string> prev = {}) {
    std::string id = "$" + std::to_string(++counter) + ":example.org";
    if (prev.empty() && !last.empty()) {
      prev.push_back(last);
    }
    store.add({{"event_id", id},
               {"room_id", "!room:example.org"},
               {"type", type},
               {"sender", sender},
               {"state_key", state_key},
               {"content", std::move(content)},
               {"origin_server_ts", counter},
               {"depth", counter},
               {"auth_events", std::move(auth)},
               {"prev_events", std::move(prev)}});
    last = id;
    return id;
  }
};

// "5 events, one fork": create, join, power levels; then join rules on one side, topic on the
// other (ruma's shallow-auth-chain resolution).
struct SmallFork {
  RoomBuilder room;
  std::vector<StateMap> states;

  SmallFork() {
    std::string alice = user(0);
    auto create = room.add("m.room.create", alice, "", {{"creator", alice}}, {});
    auto join = room.add("m.room.member", alice, alice, {{"membership", "join"}}, {create});
    auto pl = room.add("m.room.power_levels", alice, "", {{"users", {{alice, 100}}}}, {create, join});
    StateMap base{{{"m.room.create", ""}, create}, {{"m.room.member", alice}, join}, {{"m.room.power_levels", ""}, pl}};
    auto rules = room.add("m.room.join_rules", alice, "", {{"join_rule", "public"}}, {create, join, pl});
    auto topic = room.add("m.room.topic", alice, "", {{"topic", "t"}}, {create, join, pl}, {pl});
    states = {base, base};
    states[0][{"m.room.join_rules", ""}] = rules;
    states[1][{"m.room.topic", ""}] = topic;
  }
};

// "10 events, 3 conflicting": a public room with three members, then one side raises bob and
// sets the topic while the other bans charlie and sets another topic.
struct TenEvents {
  RoomBuilder room;
  std::vector<StateMap> states;

  TenEvents() {
    std::string alice = user(0), bob = user(1), charlie = user(2);
    auto create = room.add("m.room.create", alice, "", {{"creator", alice}}, {});
    auto join_a = room.add("m.room.member", alice, alice, {{"membership", "join"}}, {create});
    auto pl = room.add("m.room.power_levels", alice, "", {{"users", {{alice, 100}, {bob, 50}}}}, {create, join_a});
    auto rules = room.add("m.room.join_rules", alice, "", {{"join_rule", "public"}}, {create, join_a, pl});
    auto join_b = room.add("m.room.member", bob, bob, {{"membership", "join"}}, {create, pl, rules});
    auto join_c = room.add("m.room.member", charlie, charlie, {{"membership", "join"}}, {create, pl, rules});
    StateMap base{{{"m.room.create", ""}, create},   {{"m.room.member", alice}, join_a},
                  {{"m.room.power_levels", ""}, pl}, {{"m.room.join_rules", ""}, rules},
                  {{"m.room.member", bob}, join_b},  {{"m.room.member", charlie}, join_c}};
    auto pl2 = room.add("m.room.power_levels", alice, "", {{"users", {{alice, 100}, {bob, 60}}}}, {create, join_a, pl});
    auto topic_a = room.add("m.room.topic", alice, "", {{"topic", "a"}}, {create, join_a, pl2});
    auto ban = room.add("m.room.member", bob, charlie, {{"membership", "ban"}}, {create, pl, join_b, join_c}, {join_c});
    auto topic_b = room.add("m.room.topic", bob, "", {{"topic", "b"}}, {create, pl, join_b});
    states = {base, base};
    states[0][{"m.room.power_levels", ""}] = pl2;
    states[0][{"m.room.topic", ""}] = topic_a;
    states[1][{"m.room.member", charlie}] = ban;
    states[1][{"m.room.topic", ""}] = topic_b;
  }
};

// A public room with `members` joined users (state size ≈ members + 4); two forks each change
// `conflicted / 2` members' display names, and one fork also changes the power levels and has
// ten newcomers join and then rename themselves (their joins are in the auth difference but in
// no state, so the unconflicted auth chain has to be searched for them).
struct SyntheticRoom {
  RoomBuilder room;
  std::vector<StateMap> states;

  SyntheticRoom(std::size_t state_size, std::size_t conflicted) {
    std::string alice = user(0);
    auto create = room.add("m.room.create", alice, "", {{"creator", alice}}, {});
    auto join_a = room.add("m.room.member", alice, alice, {{"membership", "join"}}, {create});
    auto pl = room.add("m.room.power_levels", alice, "", {{"users", {{alice, 100}}}}, {create, join_a});
    auto rules = room.add("m.room.join_rules", alice, "", {{"join_rule", "public"}}, {create, join_a, pl});
    StateMap base{{{"m.room.create", ""}, create},
                  {{"m.room.member", alice}, join_a},
                  {{"m.room.power_levels", ""}, pl},
                  {{"m.room.join_rules", ""}, rules}};
    std::vector<std::string> joins{join_a};
    for (std::size_t i = 1; base.size() < state_size; ++i) {
      auto join = room.add("m.room.member", user(i), user(i), {{"membership", "join"}}, {create, pl, rules});
      base[{"m.room.member", user(i)}] = join;
      joins.push_back(join);
    }
    std::string fork_point = room.last;
    states = {base, base};
    auto pl2 = room.add("m.room.power_levels", alice, "", {{"users", {{alice, 100}, {user(1), 50}}}},
                        {create, join_a, pl}, {fork_point});
    states[0][{"m.room.power_levels", ""}] = pl2;
    std::size_t per_side = conflicted / 2;
    for (std::size_t i = 0; i < 10; ++i) {
      std::string newcomer = "@new" + std::to_string(i) + ":example.org";
      auto join = room.add("m.room.member", newcomer, newcomer, {{"membership", "join"}}, {create, pl2, rules});
      states[0][{"m.room.member", newcomer}] = room.add("m.room.member", newcomer, newcomer,
                                                        {{"membership", "join"}, {"displayname", "n"}},
                                                        {create, pl2, join});
    }
    for (std::size_t i = 11; i < per_side && i < joins.size(); ++i) {
      states[0][{"m.room.member", user(i)}] = room.add(
          "m.room.member", user(i), user(i), {{"membership", "join"}, {"displayname", "a"}}, {create, pl2, joins[i]});
    }
    room.last = fork_point;
    for (std::size_t i = 1; i <= per_side && i < joins.size(); ++i) {
      states[1][{"m.room.member", user(i)}] = room.add(
          "m.room.member", user(i), user(i), {{"membership", "join"}, {"displayname", "b"}}, {create, pl, joins[i]});
    }
  }
};

void run_resolve(benchmark::State& state, const RoomBuilder& room, const std::vector<StateMap>& states) {
  std::size_t result_size = 0;
  for (auto _ : state) {
    auto result = state_res::resolve(v10, states, room.store, {});
    result_size = result.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["resolved_keys"] = static_cast<double>(result_size);
}

void bm_five_events_one_fork(benchmark::State& state) {
  SmallFork fixture;
  run_resolve(state, fixture.room, fixture.states);
}
BENCHMARK(bm_five_events_one_fork)->Name("state_res/5 events, one fork");

void bm_ten_events_three_conflicting(benchmark::State& state) {
  TenEvents fixture;
  run_resolve(state, fixture.room, fixture.states);
}
BENCHMARK(bm_ten_events_three_conflicting)->Name("state_res/10 events, 3 conflicting");

void bm_synthetic(benchmark::State& state) {
  SyntheticRoom fixture(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)));
  live_bytes = 0;
  peak_live_bytes = 0;
  std::size_t allocated_before = allocated_bytes;
  counting = true;
  run_resolve(state, fixture.room, fixture.states);
  counting = false;
  state.counters["alloc_bytes_per_resolve"] =
      static_cast<double>(allocated_bytes - allocated_before) / static_cast<double>(state.iterations());
  state.counters["peak_extra_bytes"] = static_cast<double>(peak_live_bytes.load());
  state.SetComplexityN(state.range(0));
}
BENCHMARK(bm_synthetic)
    ->Name("state_res/synthetic state, conflicted")
    ->Args({10000, 1000})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(bm_synthetic)
    ->Name("state_res/growth state, conflicted=state/10")
    ->Args({1000, 100})
    ->Args({3000, 300})
    ->Args({10000, 1000})
    ->Args({30000, 3000})
    ->Args({100000, 10000})
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

// One message event checked against a room of 1,000 joined members whose power-levels event
// lists every one of them.
void bm_auth_check_1000_members(benchmark::State& state) {
  RoomBuilder room;
  std::string alice = user(0);
  auto create = room.add("m.room.create", alice, "", {{"creator", alice}}, {});
  StateMap current{{{"m.room.create", ""}, create}};
  json users = json::object();
  for (std::size_t i = 0; i < 1000; ++i) {
    users[user(i)] = static_cast<int>(i % 101);
  }
  auto pl = room.add("m.room.power_levels", alice, "", {{"users", users}}, {create});
  current[{"m.room.power_levels", ""}] = pl;
  for (std::size_t i = 0; i < 1000; ++i) {
    current[{"m.room.member", user(i)}] =
        room.add("m.room.member", user(i), user(i), {{"membership", "join"}}, {create, pl});
  }
  json message = {{"event_id", "$message:example.org"}, {"room_id", "!room:example.org"}, {"type", "m.room.message"},
                  {"sender", user(617)},           {"content", {{"body", "hello"}}}, {"origin_server_ts", 1},
                  {"auth_events", {create, pl, current[{"m.room.member", user(617)}]}},
                  {"prev_events", {room.last}}};
  state_res::StateMapAuthState view(current, room.store);
  for (auto _ : state) {
    auto decision = ranvier::auth::check_against_state(v10, message, view, {});
    benchmark::DoNotOptimize(decision);
    if (!decision.allowed) {
      state.SkipWithError("message unexpectedly rejected");
      break;
    }
  }
}
BENCHMARK(bm_auth_check_1000_members)->Name("auth/message in a 1,000-member room");

}  // namespace
