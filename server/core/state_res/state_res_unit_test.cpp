// Focused cases for behaviour the golden fixtures do not reach: state resolution v1 orderings
// (depth, sha1(event_id)), events missing from the store, rejected auth events.

#include <array>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "core/auth/memory_event_store.hpp"
#include "core/state_res/iterative_auth.hpp"
#include "core/state_res/state_res.hpp"

namespace ranvier::state_res {
namespace {

using nlohmann::json;

const std::string alice = "@alice:a.org";
const std::string bob = "@bob:b.org";

struct Room {
  auth::MemoryEventStore store;
  StateMap base;
  std::string create, join_alice, power_levels, join_rules, join_bob;

  explicit Room(std::string_view version) {
    create = add("$create:a.org", 1, "m.room.create", alice, "", {{"creator", alice}, {"room_version", version}}, {});
    join_alice = add("$ja:a.org", 2, "m.room.member", alice, alice, {{"membership", "join"}}, {create});
    power_levels = add("$pl:a.org", 3, "m.room.power_levels", alice, "", {{"users", {{alice, 100}, {bob, 50}}}},
                       {create, join_alice});
    join_rules = add("$jr:a.org", 4, "m.room.join_rules", alice, "", {{"join_rule", "public"}},
                     {create, join_alice, power_levels});
    join_bob = add("$jb:b.org", 5, "m.room.member", bob, bob, {{"membership", "join"}}, {create, power_levels, join_rules});
  }

  std::string add(std::string id, std::int64_t depth, std::string type, std::string sender, std::string state_key,
                  json content, std::vector<std::string> auth_events, bool rejected = false) {
    store.add({{"event_id", id},
               {"room_id", "!r:a.org"},
               {"type", type},
               {"sender", sender},
               {"state_key", state_key},
               {"content", content},
               {"depth", depth},
               {"origin_server_ts", depth},
               {"auth_events", auth_events},
               {"prev_events", json::array()}},
              rejected);
    base[{type, state_key}] = id;
    return id;
  }

  // `base` plus one event per state, each over the room as it was before the fork.
  std::vector<StateMap> fork(const StateMap& before, std::initializer_list<std::string> ids) {
    std::vector<StateMap> out;
    for (const auto& id : ids) {
      StateMap s = before;
      const json* pdu = store.fetch(id);
      s[{pdu->at("type"), pdu->at("state_key")}] = id;
      out.push_back(std::move(s));
    }
    return out;
  }
};

std::array<unsigned char, 20> sha1(std::string_view s) {
  std::array<unsigned char, 20> out{};
  unsigned int size = 0;
  EVP_Digest(s.data(), s.size(), out.data(), &size, EVP_sha1(), nullptr);
  return out;
}

const core::RoomVersion& rv(std::string_view id) { return *core::find_room_version(id); }

TEST(state_res_v1, state_res_v1_other_conflicts_take_the_greatest_depth) {
  Room room("1");
  StateMap before = room.base;
  auto shallow = room.add("$t1:a.org", 6, "m.room.topic", alice, "", {{"topic", "1"}}, {room.create, room.power_levels, room.join_alice});
  auto deep = room.add("$t2:b.org", 9, "m.room.topic", bob, "", {{"topic", "2"}}, {room.create, room.power_levels, room.join_bob});
  auto states = room.fork(before, {shallow, deep});
  EXPECT_EQ(resolve(rv("1"), states, room.store, {}).at({"m.room.topic", ""}), deep);
}

TEST(state_res_v1, state_res_v1_equal_depth_takes_the_lowest_sha1) {
  Room room("1");
  StateMap before = room.base;
  auto a = room.add("$ta:a.org", 7, "m.room.topic", alice, "", {{"topic", "a"}}, {room.create, room.power_levels, room.join_alice});
  auto b = room.add("$tb:b.org", 7, "m.room.topic", bob, "", {{"topic", "b"}}, {room.create, room.power_levels, room.join_bob});
  auto expected = sha1(a) < sha1(b) ? a : b;
  auto states = room.fork(before, {a, b});
  EXPECT_EQ(resolve(rv("1"), states, room.store, {}).at({"m.room.topic", ""}), expected);
}

TEST(state_res_v1, state_res_v1_other_conflicts_skip_events_failing_auth) {
  Room room("1");
  StateMap before = room.base;
  auto allowed = room.add("$n1:a.org", 6, "m.room.name", alice, "", {{"name", "ok"}}, {room.create, room.power_levels, room.join_alice});
  // carol never joined, so her deeper event fails auth against the resolved state.
  auto stranger = room.add("$n2:c.org", 9, "m.room.name", "@carol:c.org", "", {{"name", "no"}}, {room.create, room.power_levels});
  auto states = room.fork(before, {allowed, stranger});
  EXPECT_EQ(resolve(rv("1"), states, room.store, {}).at({"m.room.name", ""}), allowed);
}

TEST(state_res_v1, state_res_v1_power_levels_apply_in_depth_order_while_allowed) {
  Room room("1");
  StateMap before = room.base;
  // Ascending depth: the first is taken, the second replaces it only if auth allows.
  auto by_alice = room.add("$p1:a.org", 6, "m.room.power_levels", alice, "", {{"users", {{alice, 100}, {bob, 40}}}},
                           {room.create, room.power_levels, room.join_alice});
  auto by_bob = room.add("$p2:b.org", 7, "m.room.power_levels", bob, "", {{"users", {{alice, 100}, {bob, 100}}}},
                         {room.create, room.power_levels, room.join_bob});
  auto states = room.fork(before, {by_alice, by_bob});
  EXPECT_EQ(resolve(rv("1"), states, room.store, {}).at({"m.room.power_levels", ""}), by_alice);
  auto by_alice_later = room.add("$p3:a.org", 8, "m.room.power_levels", alice, "", {{"users", {{alice, 100}}}},
                                 {room.create, room.power_levels, room.join_alice});
  auto more = room.fork(before, {by_alice, by_alice_later});
  EXPECT_EQ(resolve(rv("1"), more, room.store, {}).at({"m.room.power_levels", ""}), by_alice_later);
}

TEST(state_res_v2, state_res_unknown_events_drop_out_of_conflicts_only) {
  Room room("10");
  StateMap first = room.base;
  StateMap second = room.base;
  first[{"m.room.topic", ""}] = "$missing:x.org";
  first[{"org.example.kept", ""}] = "$also-missing:x.org";
  second[{"org.example.kept", ""}] = "$also-missing:x.org";
  std::vector<StateMap> states{first, second};
  auto result = resolve(rv("10"), states, room.store, {});
  EXPECT_FALSE(result.contains({"m.room.topic", ""}));
  EXPECT_EQ(result.at({"org.example.kept", ""}), "$also-missing:x.org");
}

TEST(state_res_v2, state_res_rejected_auth_events_are_not_used_as_fallback) {
  Room room("10");
  auto join_carol = room.add("$jc:c.org", 6, "m.room.member", "@carol:c.org", "@carol:c.org", {{"membership", "join"}},
                             {room.create, room.power_levels, room.join_rules}, true);
  auto topic = room.add("$tc:c.org", 7, "m.room.topic", "@carol:c.org", "", {{"topic", "c"}},
                        {room.create, room.power_levels, join_carol});
  for (bool rejected : {true, false}) {
    room.store.set_rejected(join_carol, rejected);
    EventGraph graph(room.store);
    WorkState empty(nullptr, graph);
    ResolutionState view(rv("10"), graph, empty, *graph.intern(topic), true);
    const json* membership = view.get("m.room.member", "@carol:c.org");
    EXPECT_EQ(membership == nullptr, rejected);
    EXPECT_NE(view.get("m.room.power_levels", ""), nullptr);
    ResolutionState state_only(rv("10"), graph, empty, *graph.intern(topic), false);
    EXPECT_EQ(state_only.get("m.room.power_levels", ""), nullptr);
  }
}

TEST(state_res_v2, state_res_many_states_split_like_two) {
  // More than four states take the heap merge in split_states; repeating the two forks must not
  // change the answer, and neither must extra keys only some states hold.
  Room room("10");
  StateMap before = room.base;
  auto topic_a = room.add("$ta:a.org", 6, "m.room.topic", alice, "", {{"topic", "a"}},
                          {room.create, room.power_levels, room.join_alice});
  auto topic_b = room.add("$tb:b.org", 6, "m.room.topic", bob, "", {{"topic", "b"}},
                          {room.create, room.power_levels, room.join_bob});
  auto name = room.add("$n:a.org", 7, "m.room.name", alice, "", {{"name", "n"}},
                       {room.create, room.power_levels, room.join_alice});
  auto two = room.fork(before, {topic_a, topic_b});
  two[0][{"m.room.name", ""}] = name;
  std::vector<StateMap> many;
  for (int i = 0; i < 3; ++i) {
    many.push_back(two[1]);
    many.push_back(two[0]);
  }
  auto expected = resolve(rv("10"), two, room.store, {});
  EXPECT_EQ(expected.at({"m.room.name", ""}), name);
  EXPECT_EQ(resolve(rv("10"), many, room.store, {}), expected);
}

TEST(state_res_v2, state_res_no_states_resolve_to_empty) {
  Room room("12");
  EXPECT_TRUE(resolve(rv("12"), {}, room.store, {}).empty());
}

}  // namespace
}  // namespace ranvier::state_res
