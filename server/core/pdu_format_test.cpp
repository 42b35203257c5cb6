#include "core/pdu_format.hpp"

#include <gtest/gtest.h>

#include "core/event.hpp"

namespace ranvier::core {
namespace {

using nlohmann::json;

const RoomVersion& rv(std::string_view id) { return *find_room_version(id); }

json valid_v4_event() {
  return {{"type", "m.room.message"},
          {"sender", "@a:x.org"},
          {"room_id", "!r:x.org"},
          {"content", {{"body", "hi"}}},
          {"origin_server_ts", 1},
          {"depth", 3},
          {"auth_events", {"$" + std::string(43, 'A')}},
          {"prev_events", {"$" + std::string(42, 'B') + "_"}},
          {"hashes", {{"sha256", "abc"}}},
          {"signatures", {{"x.org", {{"ed25519:1", "sig"}}}}}};
}

TEST(PduFormat, AcceptsWellFormedEvents) {
  for (const char* v : {"4", "6", "10", "11"}) {
    EXPECT_FALSE(check_pdu_format(valid_v4_event(), rv(v))) << v;
  }
  json v1 = valid_v4_event();
  v1["event_id"] = "$e:x.org";
  v1["auth_events"] = json::array({json::array({"$a:x.org", json{{"sha256", "h"}}})});
  v1["prev_events"] = json::array();
  EXPECT_FALSE(check_pdu_format(v1, rv("1")));
  json v12 = valid_v4_event();
  v12["room_id"] = "!" + std::string(43, 'C');
  EXPECT_FALSE(check_pdu_format(v12, rv("12")));
  json create = v12;
  create.erase("room_id");
  create["type"] = "m.room.create";
  create["state_key"] = "";
  EXPECT_FALSE(check_pdu_format(create, rv("12")));
}

struct Case {
  const char* name;
  std::function<void(json&)> mutate;
  const char* version;
  PduFormatError error;
  std::string_view field;
};

TEST(PduFormat, RejectsWithTypedReasons) {
  const std::string long_str(256, 'a');
  const Case cases[] = {
      {"missing sender", [](json& e) { e.erase("sender"); }, "10", PduFormatError::missing_field, "sender"},
      {"missing hashes", [](json& e) { e.erase("hashes"); }, "10", PduFormatError::missing_field, "hashes"},
      {"hash not string", [](json& e) { e["hashes"]["sha256"] = 1; }, "10", PduFormatError::wrong_type, "hashes"},
      {"content array", [](json& e) { e["content"] = json::array(); }, "10", PduFormatError::wrong_type, "content"},
      {"depth string", [](json& e) { e["depth"] = "3"; }, "10", PduFormatError::wrong_type, "depth"},
      {"depth negative", [](json& e) { e["depth"] = -1; }, "10", PduFormatError::depth_out_of_range, "depth"},
      {"depth too big v6", [](json& e) { e["depth"] = std::int64_t{1} << 53; }, "6", PduFormatError::non_canonical_json, ""},
      {"float v6", [](json& e) { e["content"]["x"] = 1.5; }, "6", PduFormatError::non_canonical_json, ""},
      {"long type", [&](json& e) { e["type"] = long_str; }, "10", PduFormatError::too_long, "type"},
      {"long state_key", [&](json& e) { e["state_key"] = long_str; }, "10", PduFormatError::too_long, "state_key"},
      {"state_key int", [](json& e) { e["state_key"] = 1; }, "10", PduFormatError::wrong_type, "state_key"},
      {"bad sender", [](json& e) { e["sender"] = "a:x.org"; }, "10", PduFormatError::invalid_identifier, "sender"},
      {"v12 room id in v11", [](json& e) { e["room_id"] = "!" + std::string(43, 'C'); }, "11", PduFormatError::invalid_identifier, "room_id"},
      {"v11 room id in v12", [](json&) {}, "12", PduFormatError::invalid_identifier, "room_id"},
      {"url-safe id in v3", [](json&) {}, "3", PduFormatError::invalid_identifier, "prev_events"},
      {"pair refs in v4", [](json& e) { e["auth_events"] = json::array({json::array({"$a:x.org", json{{"sha256", "h"}}})}); }, "4", PduFormatError::invalid_identifier, "auth_events"},
      {"too many auth", [](json& e) { e["auth_events"] = json(std::vector<std::string>(11, "$" + std::string(43, 'A'))); }, "10", PduFormatError::too_many_events, "auth_events"},
      {"too many prev", [](json& e) { e["prev_events"] = json(std::vector<std::string>(21, "$" + std::string(43, 'A'))); }, "10", PduFormatError::too_many_events, "prev_events"},
      {"v1 without event_id", [](json&) {}, "1", PduFormatError::missing_field, "event_id"},
      {"signature not string", [](json& e) { e["signatures"]["x.org"]["ed25519:1"] = 1; }, "10", PduFormatError::wrong_type, "signatures"},
      {"too large", [](json& e) { e["content"]["body"] = std::string(70000, 'x'); }, "10", PduFormatError::too_large, ""},
      {"room_id on v12 create", [](json& e) { e["room_id"] = "!" + std::string(43, 'C'); e["type"] = "m.room.create"; e["state_key"] = ""; }, "12", PduFormatError::unexpected_field, "room_id"},
  };
  for (const auto& c : cases) {
    json ev = valid_v4_event();
    c.mutate(ev);
    const auto issue = check_pdu_format(ev, rv(c.version));
    ASSERT_TRUE(issue) << c.name;
    EXPECT_EQ(issue->error, c.error) << c.name << ": " << to_string(issue->error);
    EXPECT_EQ(issue->field, c.field) << c.name;
  }
  EXPECT_EQ(check_pdu_format(json::array(), rv("10"))->error, PduFormatError::not_an_object);
}

TEST(PduFormat, LargeIntegersToleratedBeforeVersion6) {
  json ev = valid_v4_event();
  ev["content"]["big"] = std::int64_t{1} << 60;
  ev["content"]["float"] = 2.5;
  EXPECT_FALSE(check_pdu_format(ev, rv("5")));
  EXPECT_TRUE(check_pdu_format(ev, rv("6")));
}

}  // namespace
}  // namespace ranvier::core
