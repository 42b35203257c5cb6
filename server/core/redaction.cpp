#include "core/redaction.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>

#include "core/canonical_json.hpp"

namespace ranvier::core {
namespace {

using json = nlohmann::json;
using RA = RedactionAlgorithm;
using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 15> top_level_v1{
    "auth_events", "content", "depth", "event_id", "hashes", "membership", "origin",
    "origin_server_ts", "prev_events", "prev_state", "room_id", "sender", "signatures",
    "state_key", "type"};
// v11 stops protecting `origin`, `membership` and `prev_state`.
constexpr std::array<std::string_view, 12> top_level_v11{
    "auth_events", "content", "depth", "event_id", "hashes", "origin_server_ts", "prev_events",
    "room_id", "sender", "signatures", "state_key", "type"};

constexpr std::array<std::string_view, 1> member_v1{"membership"};
constexpr std::array<std::string_view, 2> member_v9{"join_authorised_via_users_server",
                                                    "membership"};
constexpr std::array<std::string_view, 1> create_v1{"creator"};
constexpr std::array<std::string_view, 1> join_rules_v1{"join_rule"};
constexpr std::array<std::string_view, 2> join_rules_v8{"allow", "join_rule"};
constexpr std::array<std::string_view, 8> power_levels_v1{
    "ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"};
constexpr std::array<std::string_view, 9> power_levels_v11{
    "ban", "events", "events_default", "invite", "kick", "redact", "state_default", "users",
    "users_default"};
constexpr std::array<std::string_view, 1> aliases_v1{"aliases"};
constexpr std::array<std::string_view, 1> history_visibility{"history_visibility"};
constexpr std::array<std::string_view, 1> redaction_v11{"redacts"};

// What survives of `content` for one event type.
struct ContentPolicy {
  Keys keys;
  bool keep_all = false;
  /// v11 member events: `third_party_invite` keeps only its `signed` member.
  bool third_party_invite_signed = false;
};

bool at_least(RA algo, RA version) { return static_cast<int>(algo) >= static_cast<int>(version); }

ContentPolicy content_policy(const json& event, RA algo) {
  const auto type_it = event.find("type");
  if (type_it == event.end() || !type_it->is_string()) {
    return {};
  }
  const std::string_view type = type_it->get_ref<const std::string&>();
  if (type == "m.room.member") {
    return {at_least(algo, RA::v9) ? Keys(member_v9) : Keys(member_v1), false, algo == RA::v11};
  }
  if (type == "m.room.create") {
    return algo == RA::v11 ? ContentPolicy{{}, true} : ContentPolicy{create_v1};
  }
  if (type == "m.room.join_rules") {
    return {at_least(algo, RA::v8) ? Keys(join_rules_v8) : Keys(join_rules_v1)};
  }
  if (type == "m.room.power_levels") {
    return {algo == RA::v11 ? Keys(power_levels_v11) : Keys(power_levels_v1)};
  }
  if (type == "m.room.aliases" && algo == RA::v1) {
    return {aliases_v1};
  }
  if (type == "m.room.history_visibility") {
    return {history_visibility};
  }
  if (type == "m.room.redaction" && algo == RA::v11) {
    return {redaction_v11};
  }
  return {};
}

bool contains(Keys keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Keys top_level_keys(RA algo) { return algo == RA::v11 ? Keys(top_level_v11) : Keys(top_level_v1); }

// Visits the members of redact(event).content in key order as (key, value, is_tpi) where is_tpi
// marks a v11 `third_party_invite` whose value must be reduced to its `signed` member.
template <class Fn>
void for_each_kept_content(const json& content, const ContentPolicy& policy, Fn fn) {
  if (!content.is_object()) {
    return;
  }
  for (const auto& [key, value] : content.get_ref<const json::object_t&>()) {
    if (policy.keep_all || contains(policy.keys, key)) {
      fn(key, value, false);
    } else if (policy.third_party_invite_signed && key == "third_party_invite" &&
               value.is_object()) {
      fn(key, value, true);
    }
  }
}

}  // namespace

json redact(const json& event, const RoomVersion& version) {
  const RA algo = version.redaction;
  const Keys kept = top_level_keys(algo);
  json out = json::object();
  if (!event.is_object()) {
    return out;
  }
  for (const auto& [key, value] : event.get_ref<const json::object_t&>()) {
    if (!contains(kept, key)) {
      continue;
    }
    if (key != "content") {
      out[key] = value;
      continue;
    }
    json content = json::object();
    for_each_kept_content(value, content_policy(event, algo),
                          [&](const std::string& k, const json& v, bool is_tpi) {
                            if (!is_tpi) {
                              content[k] = v;
                              return;
                            }
                            json tpi = json::object();
                            if (const auto s = v.find("signed"); s != v.end()) {
                              tpi["signed"] = *s;
                            }
                            content[k] = std::move(tpi);
                          });
    out["content"] = std::move(content);
  }
  return out;
}

void append_redacted_signable(const json& event, const RoomVersion& version, std::string& out) {
  const RA algo = version.redaction;
  const Keys kept = top_level_keys(algo);
  out += '{';
  bool first = true;
  if (event.is_object()) {
    for (const auto& [key, value] : event.get_ref<const json::object_t&>()) {
      if (key == "signatures" || !contains(kept, key)) {
        continue;
      }
      append_json_key(key, first, out);
      if (key != "content") {
        canonical_json_append(value, out);
        continue;
      }
      out += '{';
      bool first_member = true;
      for_each_kept_content(value, content_policy(event, algo),
                            [&](const std::string& k, const json& v, bool is_tpi) {
                              append_json_key(k, first_member, out);
                              if (!is_tpi) {
                                canonical_json_append(v, out);
                                return;
                              }
                              out += '{';
                              if (const auto s = v.find("signed"); s != v.end()) {
                                out += "\"signed\":";
                                canonical_json_append(*s, out);
                              }
                              out += '}';
                            });
      out += '}';
    }
  }
  out += '}';
}

std::string redacted_signable_json(const json& event, const RoomVersion& version) {
  std::string out;
  out.reserve(512);
  append_redacted_signable(event, version, out);
  return out;
}

}  // namespace ranvier::core
