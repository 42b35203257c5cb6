// Golden cases from ../shared/golden/state-res-ruma (ruma-state-res's snapshots): "batches"
// cases resolved three ways that must agree, and MSC4297 state-map cases (v2.0 vs v2.1).

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/auth/event_view.hpp"
#include "core/auth/memory_event_store.hpp"
#include "core/state_res/state_res.hpp"

namespace ranvier::state_res {
namespace {

using nlohmann::json;

const std::string golden_dir = std::string(RANVIER_SHARED_DIR) + "/golden/state-res-ruma/";

json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return json::parse(in);
}

// The snapshot body after the second `---` line, as (type, state_key) → event_id.
StateMap read_snapshot(const std::string& name) {
  std::ifstream in(golden_dir + "snapshots/" + name + "@resolved_state.snap");
  EXPECT_TRUE(in) << name;
  std::string line;
  int markers = 0;
  std::stringstream body;
  while (std::getline(in, line)) {
    if (markers < 2) {
      markers += line == "---" ? 1 : 0;
      continue;
    }
    body << line << '\n';
  }
  StateMap out;
  for (const auto& entry : json::parse(body.str())) {
    out[{entry.at("type"), entry.at("state_key")}] = entry.at("event_id");
  }
  return out;
}

const core::RoomVersion& version_of(const json& first_batch) {
  const auto* version = core::find_room_version(first_batch.at(0).at("content").at("room_version").get<std::string>());
  EXPECT_NE(version, nullptr);
  return *version;
}

StateMap single_entry(const json& pdu) {
  return {{{pdu.at("type"), pdu.at("state_key")}, pdu.at("event_id")}};
}

struct BatchCase {
  std::vector<json> batches;
  auth::MemoryEventStore store;
  const core::RoomVersion* version = nullptr;
};

void load_batches(BatchCase& c, const std::vector<std::string>& files) {
  for (const auto& file : files) {
    c.batches.push_back(read_json(golden_dir + "fixtures/" + file + ".json"));
    for (const auto& pdu : c.batches.back()) {
      c.store.add(pdu);
    }
  }
  c.version = &version_of(c.batches.front());
}

// Walk the DAG along prev_events: state before an event resolves the states after its prev
// events; the final state resolves the states after the leaves.
StateMap resolve_iteratively(const BatchCase& c) {
  std::map<std::string, StateMap> after;
  std::set<std::string> referenced;
  std::vector<std::string> order;
  for (const auto& batch : c.batches) {
    for (const auto& pdu : batch) {
      order.push_back(pdu.at("event_id"));
      for (auto prev : auth::EventView(pdu).prev_event_ids()) {
        referenced.emplace(prev);
      }
    }
  }
  std::function<const StateMap&(const std::string&)> state_after = [&](const std::string& id) -> const StateMap& {
    if (auto it = after.find(id); it != after.end()) {
      return it->second;
    }
    const json& pdu = *c.store.fetch(id);
    std::vector<StateMap> before;
    for (auto prev : auth::EventView(pdu).prev_event_ids()) {
      before.push_back(state_after(std::string(prev)));
    }
    StateMap state = resolve(*c.version, before, c.store, {});
    state[{pdu.at("type"), pdu.at("state_key")}] = id;
    return after[id] = std::move(state);
  };
  std::vector<StateMap> leaves;
  for (const auto& id : order) {
    if (!referenced.contains(id)) {
      leaves.push_back(state_after(id));
    }
  }
  return resolve(*c.version, leaves, c.store, {});
}

StateMap resolve_batched(const BatchCase& c) {
  std::optional<StateMap> previous;
  for (const auto& batch : c.batches) {
    std::vector<StateMap> states;
    if (previous) {
      states.push_back(*previous);
    }
    for (const auto& pdu : batch) {
      states.push_back(single_entry(pdu));
    }
    previous = resolve(*c.version, states, c.store, {});
  }
  return previous.value_or(StateMap{});
}

StateMap resolve_atomically(const BatchCase& c) {
  std::vector<StateMap> states;
  for (const auto& batch : c.batches) {
    for (const auto& pdu : batch) {
      states.push_back(single_entry(pdu));
    }
  }
  return resolve(*c.version, states, c.store, {});
}

struct BatchParam {
  std::string name;
  std::vector<std::string> files;
};

// gtest would otherwise print the parameter's raw bytes (valgrind flags the strings' unused
// buffers as uninitialised).
void PrintTo(const BatchParam& p, std::ostream* os) { *os << p.name; }

class StateResGoldenBatches : public ::testing::TestWithParam<BatchParam> {};

TEST_P(StateResGoldenBatches, state_res_three_ways_agree_with_snapshot) {
  BatchCase c;
  load_batches(c, GetParam().files);
  auto expected = read_snapshot(GetParam().name);
  EXPECT_EQ(resolve_iteratively(c), expected) << "iterative";
  EXPECT_EQ(resolve_batched(c), expected) << "batched";
  EXPECT_EQ(resolve_atomically(c), expected) << "atomic";
}

INSTANTIATE_TEST_SUITE_P(
    state_res_golden, StateResGoldenBatches,
    ::testing::Values(
        BatchParam{"minimal_private_chat", {"bootstrap-private-chat"}},
        BatchParam{"minimal_public_chat", {"bootstrap-public-chat"}},
        BatchParam{"origin_server_ts_tiebreak", {"bootstrap-private-chat", "origin-server-ts-tiebreak"}},
        BatchParam{"ban_vs_power_levels",
                   {"bootstrap-public-chat", "ban-vs-power-levels-alice", "ban-vs-power-levels-bob"}},
        BatchParam{"topic_vs_power_levels",
                   {"bootstrap-public-chat", "topic-vs-power-levels-alice", "topic-vs-power-levels-bob"}},
        BatchParam{"power_levels_admin_vs_mod",
                   {"bootstrap-public-chat", "power-levels-admin-vs-mod-alice", "power-levels-admin-vs-mod-bob"}},
        BatchParam{"topic_vs_ban",
                   {"bootstrap-public-chat", "topic-vs-ban-common", "topic-vs-ban-alice", "topic-vs-ban-bob"}},
        BatchParam{"join_rules_vs_join",
                   {"bootstrap-public-chat", "join-rules-vs-join-common", "join-rules-vs-join-alice",
                    "join-rules-vs-join-ella"}},
        BatchParam{"concurrent_joins",
                   {"bootstrap-public-chat", "concurrent-joins-charlie", "concurrent-joins-ella"}}),
    [](const auto& info) { return info.param.name; });

struct MapParam {
  std::string name;
  std::string dir;
  std::vector<std::string> state_files;
  std::string pdus;
};

void PrintTo(const MapParam& p, std::ostream* os) { *os << p.name; }

class StateResGoldenMaps : public ::testing::TestWithParam<MapParam> {};

TEST_P(StateResGoldenMaps, state_res_msc4297_matches_snapshot) {
  const auto& p = GetParam();
  auth::MemoryEventStore store;
  auto pdus = read_json(golden_dir + "fixtures/" + p.dir + "/" + p.pdus + ".json");
  for (const auto& pdu : pdus) {
    store.add(pdu);
  }
  std::vector<StateMap> states;
  for (const auto& file : p.state_files) {
    StateMap state;
    for (const auto& id : read_json(golden_dir + "fixtures/" + p.dir + "/" + file + ".json")) {
      const json* pdu = store.fetch(id.get<std::string>());
      ASSERT_NE(pdu, nullptr) << id;
      state[{pdu->at("type"), pdu->at("state_key")}] = id;
    }
    states.push_back(std::move(state));
  }
  EXPECT_EQ(resolve(version_of(pdus), states, store, {}), read_snapshot(p.name));
}

INSTANTIATE_TEST_SUITE_P(
    state_res_golden, StateResGoldenMaps,
    ::testing::Values(
        MapParam{"msc4297_problem_a_state_res_v2_0", "MSC4297-problem-A", {"state-bob", "state-charlie"}, "pdus-v11"},
        MapParam{"msc4297_problem_a_state_res_v2_1", "MSC4297-problem-A", {"state-bob", "state-charlie"}, "pdus-v12"},
        MapParam{"msc4297_problem_b_state_res_v2_0", "MSC4297-problem-B", {"state-eve", "state-zara"}, "pdus-v11"},
        MapParam{"msc4297_problem_b_state_res_v2_1", "MSC4297-problem-B", {"state-eve", "state-zara"}, "pdus-v12"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ranvier::state_res
