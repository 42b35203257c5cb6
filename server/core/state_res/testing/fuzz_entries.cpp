#include "core/state_res/testing/fuzz_entries.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>

#include "core/auth/event_auth.hpp"
#include "core/auth/event_view.hpp"
#include "core/state_res/state_res.hpp"
#include "core/state_res/testing/room_generator.hpp"

namespace ranvier::state_res::testing {
namespace {

using nlohmann::json;

// Bounds that keep every input fast: the fuzzers must never time out on size alone.
constexpr std::size_t max_json_events = 64;
constexpr std::uint32_t max_generated_events = 96;

void require(bool condition) {
  if (!condition) {
    std::abort();
  }
}

bool looks_like_json(std::span<const std::uint8_t> input) {
  return !input.empty() && (input.front() == '[' || input.front() == '{');
}

// A JSON array of PDUs, or nullopt if the input is not one.
std::optional<json> parse_pdus(std::span<const std::uint8_t> input) {
  json parsed = json::parse(input.begin(), input.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array() || parsed.empty() || parsed.size() > max_json_events) {
    return std::nullopt;
  }
  return parsed;
}

const core::RoomVersion& version_from_pdus(const json& pdus) {
  for (const auto& pdu : pdus) {
    auth::EventView view(pdu);
    if (view.type() == "m.room.create") {
      if (auto id = auth::string_member(view.content(), "room_version")) {
        if (const auto* v = core::find_room_version(*id)) {
          return *v;
        }
      }
    }
  }
  return *core::find_room_version("1");
}

const core::RoomVersion& version_from_byte(std::uint8_t byte) {
  auto versions = core::known_room_versions();
  return versions[byte % versions.size()];
}

void check_decisions(const core::RoomVersion& v, const json& event, const StateMap& state,
                     const auth::EventStore& store) {
  StateMapAuthState view(state, store);
  // Signature callbacks that answer from the input, so both outcomes are reachable.
  auth::SignatureChecks checks;
  checks.event_signed_by = [](const json& pdu, std::string_view server) { return pdu.contains("signatures"); };
  checks.third_party_signed = [](const json& signed_block, std::string_view key) { return key.size() % 2 == 0; };
  auto first = auth::check_against_state(v, event, view, checks);
  auto second = auth::check_against_state(v, event, view, checks);
  require(first.allowed == second.allowed && first.rule == second.rule);
  require(!auth::rule_number(first.rule, v).empty());
  auto receipt = auth::authorize_by_auth_events(v, event, store, checks);
  auto receipt_again = auth::authorize_by_auth_events(v, event, store, checks);
  require(receipt.allowed == receipt_again.allowed && receipt.rule == receipt_again.rule);
  require(!auth::rule_number(receipt.rule, v).empty());
}

// Picks one of a few plausible values for each field of a new event.
json fuzzed_event(ByteChooser& choose, const core::RoomVersion& v, const GeneratedRoom& room) {
  static const char* const types[] = {"m.room.member", "m.room.power_levels", "m.room.join_rules",
                                      "m.room.third_party_invite", "m.room.message", "m.room.topic",
                                      "m.room.create", "m.room.aliases", "m.room.redaction"};
  static const char* const memberships[] = {"join", "invite", "leave", "ban", "knock", "other"};
  static const char* const join_rules[] = {"public", "invite", "knock", "restricted", "knock_restricted", "private"};
  auto user = [&] { return "@u" + std::to_string(choose.next(6)) + ":s" + std::to_string(choose.next(3)) + ".org"; };
  std::string type = types[choose.next(std::size(types))];
  json event = {{"type", type}, {"sender", user()}, {"content", json::object()}, {"event_id", "$fuzzed"}};
  const std::string& create_id = room.event_ids.front();
  event["room_id"] = v.room_id_is_create_hash ? "!" + create_id.substr(1) : "!room:s0.org";
  if (choose.next(4) != 0) {
    event["state_key"] = choose.next(2) ? user() : std::string();
  }
  json& content = event["content"];
  if (type == "m.room.member") {
    content["membership"] = memberships[choose.next(std::size(memberships))];
    if (choose.next(3) == 0) {
      content["join_authorised_via_users_server"] = user();
    }
    if (choose.next(4) == 0) {
      content["third_party_invite"] = {{"signed", {{"mxid", user()}, {"token", "tok"}}}};
    }
  } else if (type == "m.room.power_levels") {
    content["users"] = {{user(), static_cast<int>(choose.next(120))}};
    content["ban"] = choose.next(2) ? json(static_cast<int>(choose.next(120))) : json("50");
  } else if (type == "m.room.join_rules") {
    content["join_rule"] = join_rules[choose.next(std::size(join_rules))];
  } else if (type == "m.room.third_party_invite") {
    content["public_key"] = "ab";
  }
  if (choose.next(2) == 0) {
    event["signatures"] = json::object();
  }
  json auth_ids = json::array();
  for (std::uint32_t i = 0, n = choose.next(6); i < n && !room.event_ids.empty(); ++i) {
    auth_ids.push_back(room.event_ids[choose.next(static_cast<std::uint32_t>(room.event_ids.size()))]);
  }
  event["auth_events"] = auth_ids;
  event["prev_events"] = choose.next(4) == 0 ? json::array({create_id}) : json::array({room.event_ids.back()});
  return event;
}

void check_resolution(const std::vector<StateMap>& states, const auth::EventStore& store) {
  auto inputs = events_and_auth_chains(states, store);
  for (const char* id : {"1", "11", "12"}) {
    const auto& v = *core::find_room_version(id);
    auto result = resolve(v, states, store, {});
    require(resolve(v, states, store, {}) == result);
    auto reversed = states;
    std::reverse(reversed.begin(), reversed.end());
    require(resolve(v, reversed, store, {}) == result);
    for (const auto& [key, event_id] : result) {
      require(inputs.contains(event_id));
    }
  }
}

}  // namespace

void fuzz_event_auth(std::span<const std::uint8_t> input) {
  if (looks_like_json(input)) {
    auto pdus = parse_pdus(input);
    if (!pdus) {
      return;
    }
    const auto& v = version_from_pdus(*pdus);
    auth::MemoryEventStore store;
    StateMap state;
    for (std::size_t i = 0; i + 1 < pdus->size(); ++i) {
      const json& pdu = (*pdus)[i];
      auth::EventView view(pdu);
      if (store.add(pdu) && view.state_key()) {
        state[{std::string(view.type()), std::string(*view.state_key())}] = std::string(view.event_id());
      }
    }
    check_decisions(v, pdus->back(), state, store);
    return;
  }
  if (input.size() < 2) {
    return;
  }
  const auto& v = version_from_byte(input[0]);
  std::size_t split = std::min<std::size_t>(input.size() - 1, 1 + input[1] % 64 + 1);
  ByteChooser room_choices(input.subspan(2, split - 1));
  GeneratorLimits limits;
  limits.events = max_generated_events;
  auto room = generate_room(v, room_choices, limits);
  ByteChooser event_choices(input.subspan(split));
  json event = fuzzed_event(event_choices, v, room);
  check_decisions(v, event, room.states.front(), room.store);
}

void fuzz_state_res(std::span<const std::uint8_t> input) {
  if (looks_like_json(input)) {
    auto pdus = parse_pdus(input);
    if (!pdus) {
      return;
    }
    auth::MemoryEventStore store;
    std::vector<StateMap> states;
    for (const auto& pdu : *pdus) {
      auth::EventView view(pdu);
      if (store.add(pdu) && view.state_key()) {
        states.push_back({{{std::string(view.type()), std::string(*view.state_key())}, std::string(view.event_id())}});
      }
    }
    check_resolution(states, store);
    return;
  }
  if (input.empty()) {
    return;
  }
  ByteChooser choose(input.subspan(1));
  GeneratorLimits limits;
  limits.events = max_generated_events;
  limits.max_branches = 2 + input[0] % 4;
  auto room = generate_room(version_from_byte(input[0]), choose, limits);
  check_resolution(room.states, room.store);
}

}  // namespace ranvier::state_res::testing
