#include "core/event.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "core/identifiers.hpp"
#include "core/redaction.hpp"
#include "core/test_support.hpp"

namespace ranvier::core {
namespace {

using nlohmann::json;

const RoomVersion& rv(std::string_view id) { return *find_room_version(id); }

TEST(EventSigning, SpecVectorsWithV1ToV10Redaction) {
  const auto key = testing::spec_signing_key();
  for (const auto& v : testing::spec_vectors().at("event_signing")) {
    for (const char* version : {"1", "3", "6", "8", "10"}) {
      json event = v.at("input");
      sign_event(event, rv(version), "domain", key);
      EXPECT_EQ(event, v.at("expected")) << v.at("id") << " v" << version;
      EXPECT_EQ(base64_encode(as_bytes(reference_hash(event, rv(version)))),
                v.at("derived_reference_hash_v1_to_v10_redaction"));
    }
  }
}

TEST(EventSigning, DerivedVectorsWithV11Redaction) {
  const auto key = testing::spec_signing_key();
  for (const auto& v : testing::spec_vectors().at("event_signing")) {
    for (const char* version : {"11", "12"}) {
      json event = v.at("input");
      sign_event(event, rv(version), "domain", key);
      EXPECT_EQ(event["hashes"], v.at("expected").at("hashes"));
      EXPECT_EQ(event["signatures"]["domain"]["ed25519:1"],
                v.at("derived_signature_with_v11_redaction"));
      EXPECT_EQ(base64_encode(as_bytes(reference_hash(event, rv(version)))),
                v.at("derived_reference_hash_v11_redaction"));
    }
  }
}

TEST(EventId, FormatPerVersion) {
  const auto& v = testing::spec_vectors().at("event_signing")[0];
  json event = v.at("expected");
  const std::string hash_b64 = v.at("derived_reference_hash_v1_to_v10_redaction");
  EXPECT_FALSE(event_id_of(event, rv("1")));  // v1 events carry their ID; this one has none
  event["event_id"] = "$abc:domain";
  EXPECT_EQ(event_id_of(event, rv("2")), "$abc:domain");
  event.erase("event_id");
  EXPECT_EQ(event_id_of(event, rv("3")), "$" + hash_b64);
  std::string url = hash_b64;
  std::replace(url.begin(), url.end(), '+', '-');
  std::replace(url.begin(), url.end(), '/', '_');
  EXPECT_EQ(event_id_of(event, rv("4")), "$" + url);
  EXPECT_TRUE(is_valid_event_id_for(*event_id_of(event, rv("3")), EventFormat::v3));
  EXPECT_TRUE(is_valid_event_id_for(*event_id_of(event, rv("9")), EventFormat::v4));
  // `unsigned` and `signatures` do not change the ID.
  json other = event;
  other["unsigned"] = {{"age", 1}};
  other["signatures"] = {{"x", {{"ed25519:y", "z"}}}};
  EXPECT_EQ(event_id_of(other, rv("9")), event_id_of(event, rv("9")));
}

TEST(RoomId, V12FromCreateEvent) {
  const json create = {{"type", "m.room.create"},
                       {"state_key", ""},
                       {"sender", "@alice:example.org"},
                       {"content", {{"room_version", "12"}}},
                       {"origin_server_ts", 1},
                       {"depth", 1},
                       {"auth_events", json::array()},
                       {"prev_events", json::array()},
                       {"hashes", {{"sha256", "x"}}},
                       {"signatures", json::object()}};
  const auto room_id = room_id_from_create_event(create, rv("12"));
  EXPECT_TRUE(is_valid_room_id_for(room_id, rv("12")));
  EXPECT_EQ(room_id.substr(1), event_id_of(create, rv("12"))->substr(1));
}

// Expected values below were computed independently with Python's json and hashlib (the spec has
// no official vectors for event IDs or v12 room IDs).
TEST(EventId, IndependentlyComputedFixtures) {
  const json create = {{"type", "m.room.create"},
                       {"state_key", ""},
                       {"sender", "@alice:example.org"},
                       {"content",
                        {{"room_version", "12"},
                         {"additional_creators", {"@bob:example.org"}},
                         {"m.federate", true}}},
                       {"origin_server_ts", 1732866000000},
                       {"depth", 1},
                       {"auth_events", json::array()},
                       {"prev_events", json::array()},
                       {"hashes", {{"sha256", "whatever"}}},
                       {"signatures", {{"example.org", {{"ed25519:1", "sig"}}}}},
                       {"unsigned", {{"age", 1}}},
                       {"origin", "example.org"}};
  EXPECT_EQ(room_id_from_create_event(create, rv("12")), "!t5u90R_4zPopO4nNtj896iOj34JBmPV3NlWs6z_PHEo");
  const json msg = {{"type", "m.room.message"},
                    {"sender", "@alice:example.org"},
                    {"room_id", "!abc:example.org"},
                    {"content", {{"body", "caf\xC3\xA9 \xE6\x97\xA5"}, {"msgtype", "m.text"}}},
                    {"origin_server_ts", 5},
                    {"depth", 2},
                    {"auth_events", {"$a"}},
                    {"prev_events", {"$b"}},
                    {"hashes", {{"sha256", "x"}}},
                    {"signatures", json::object()},
                    {"origin", "example.org"},
                    {"unsigned", {{"age", 3}}}};
  EXPECT_EQ(event_id_of(msg, rv("4")), "$s-HY_LDCKYbyzlXmiCjYSpnZBmsOktZDnNAqjvXouoo");
  EXPECT_EQ(event_id_of(msg, rv("3")), "$s+HY/LDCKYbyzlXmiCjYSpnZBmsOktZDnNAqjvXouoo");
}

json member_event() {
  return {{"type", "m.room.member"},
          {"state_key", "@bob:b.org"},
          {"sender", "@bob:b.org"},
          {"room_id", "!r:a.org"},
          {"origin", "b.org"},
          {"membership", "join"},
          {"prev_state", json::array()},
          {"origin_server_ts", 1000},
          {"depth", 5},
          {"auth_events", json::array()},
          {"prev_events", json::array()},
          {"unsigned", {{"age", 3}}},
          {"content",
           {{"membership", "join"},
            {"displayname", "Bob"},
            {"join_authorised_via_users_server", "@alice:a.org"},
            {"third_party_invite", {{"display_name", "b"}, {"signed", {{"token", "t"}}}}}}}};
}

TEST(Redaction, TopLevelKeysPerAlgorithm) {
  const json ev = member_event();
  const json v1 = redact(ev, rv("1"));
  EXPECT_FALSE(v1.contains("unsigned"));
  EXPECT_TRUE(v1.contains("origin"));
  EXPECT_TRUE(v1.contains("membership"));
  EXPECT_TRUE(v1.contains("prev_state"));
  const json v11 = redact(ev, rv("11"));
  EXPECT_FALSE(v11.contains("origin"));
  EXPECT_FALSE(v11.contains("membership"));
  EXPECT_FALSE(v11.contains("prev_state"));
  EXPECT_TRUE(v11.contains("room_id"));
  EXPECT_TRUE(v11.contains("depth"));
}

TEST(Redaction, MemberContentPerAlgorithm) {
  const json ev = member_event();
  EXPECT_EQ(redact(ev, rv("1"))["content"], (json{{"membership", "join"}}));
  EXPECT_EQ(redact(ev, rv("8"))["content"], (json{{"membership", "join"}}));
  EXPECT_EQ(redact(ev, rv("9"))["content"],
            (json{{"membership", "join"}, {"join_authorised_via_users_server", "@alice:a.org"}}));
  EXPECT_EQ(redact(ev, rv("11"))["content"],
            (json{{"membership", "join"},
                  {"join_authorised_via_users_server", "@alice:a.org"},
                  {"third_party_invite", {{"signed", {{"token", "t"}}}}}}));
}

TEST(Redaction, ContentPerTypeAndVersion) {
  auto content_after = [](const char* type, json content, const char* version) {
    json ev = {{"type", type}, {"content", std::move(content)}, {"state_key", ""}};
    return redact(ev, rv(version))["content"];
  };
  const json create = {{"creator", "@a:x"}, {"room_version", "1"}, {"m.federate", false}};
  EXPECT_EQ(content_after("m.room.create", create, "10"), (json{{"creator", "@a:x"}}));
  EXPECT_EQ(content_after("m.room.create", create, "11"), create);
  const json rules = {{"join_rule", "restricted"}, {"allow", json::array()}, {"x", 1}};
  EXPECT_EQ(content_after("m.room.join_rules", rules, "7"), (json{{"join_rule", "restricted"}}));
  EXPECT_EQ(content_after("m.room.join_rules", rules, "8"),
            (json{{"join_rule", "restricted"}, {"allow", json::array()}}));
  const json pl = {{"ban", 50},   {"events", json::object()}, {"events_default", 0},
                   {"invite", 0}, {"kick", 50},               {"redact", 50},
                   {"state_default", 50}, {"users", json::object()}, {"users_default", 0},
                   {"notifications", {{"room", 50}}}};
  json pl_v1 = pl;
  pl_v1.erase("invite");
  pl_v1.erase("notifications");
  json pl_v11 = pl;
  pl_v11.erase("notifications");
  EXPECT_EQ(content_after("m.room.power_levels", pl, "10"), pl_v1);
  EXPECT_EQ(content_after("m.room.power_levels", pl, "11"), pl_v11);
  const json aliases = {{"aliases", {"#a:x"}}};
  EXPECT_EQ(content_after("m.room.aliases", aliases, "5"), aliases);
  EXPECT_EQ(content_after("m.room.aliases", aliases, "6"), json::object());
  const json hv = {{"history_visibility", "shared"}, {"x", 1}};
  EXPECT_EQ(content_after("m.room.history_visibility", hv, "1"), (json{{"history_visibility", "shared"}}));
  const json red = {{"redacts", "$x"}, {"reason", "spam"}};
  EXPECT_EQ(content_after("m.room.redaction", red, "10"), json::object());
  EXPECT_EQ(content_after("m.room.redaction", red, "11"), (json{{"redacts", "$x"}}));
  EXPECT_EQ(content_after("m.room.message", json{{"body", "hi"}}, "11"), json::object());
}

TEST(Redaction, EncoderMatchesRedactForEveryVersion) {
  std::mt19937 rng(5);
  for (const auto& version : known_room_versions()) {
    json ev = member_event();
    EXPECT_EQ(redacted_signable_json(ev, version), signable_json(redact(ev, version)));
    for (const char* type : {"m.room.create", "m.room.power_levels", "m.room.join_rules",
                             "m.room.message", "m.room.aliases"}) {
      ev["type"] = type;
      ev["content"] = {{"random", testing::random_json(rng)}};
      ev["content"]["ban"] = testing::random_json(rng);
      ev["content"]["third_party_invite"] = {{"signed", 1}, {"x", 2}};
      EXPECT_EQ(redacted_signable_json(ev, version), signable_json(redact(ev, version)));
    }
  }
}

TEST(Redaction, HashStableUnderRedaction) {
  // Redacting an event does not change its reference hash (so its ID), for every version.
  for (const auto& version : known_room_versions()) {
    const json ev = member_event();
    EXPECT_EQ(reference_hash(redact(ev, version), version), reference_hash(ev, version));
    EXPECT_EQ(redact(redact(ev, version), version), redact(ev, version));
  }
}

struct Keys {
  SigningKey a = *make_signing_key("a", ed25519_generate().seed);
  SigningKey b = *make_signing_key("b", ed25519_generate().seed);
  std::int64_t valid_until = INT64_MAX;
  VerifyKeyLookup lookup() const {
    return [this](std::string_view server, std::string_view id) -> std::optional<VerifyKey> {
      if (server == "a.org" && id == a.key_id) {
        return VerifyKey{a.pair.public_key, valid_until};
      }
      if (server == "b.org" && id == b.key_id) {
        return VerifyKey{b.pair.public_key, valid_until};
      }
      return std::nullopt;
    };
  }
};

TEST(VerifyEvent, AcceptRedactReject) {
  Keys keys;
  json ev = member_event();
  ev.erase("origin");
  ev["content"].erase("join_authorised_via_users_server");
  sign_event(ev, rv("10"), "b.org", keys.b);
  auto result = verify_event(ev, rv("10"), keys.lookup());
  EXPECT_EQ(result.verdict, EventVerdict::accept);
  EXPECT_EQ(result.event_id, *event_id_of(ev, rv("10")));

  json changed_content = ev;
  changed_content["content"]["displayname"] = "Mallory";
  EXPECT_EQ(verify_event(changed_content, rv("10"), keys.lookup()).verdict, EventVerdict::redact);

  json changed_signed = ev;
  changed_signed["depth"] = 6;
  result = verify_event(changed_signed, rv("10"), keys.lookup());
  EXPECT_EQ(result.verdict, EventVerdict::reject);
  EXPECT_EQ(result.signature_error, SignatureError::invalid_signature);
  EXPECT_EQ(result.server, "b.org");

  json unsigned_changed = ev;
  unsigned_changed["unsigned"]["age"] = 99;
  EXPECT_EQ(verify_event(unsigned_changed, rv("10"), keys.lookup()).verdict, EventVerdict::accept);
}

TEST(VerifyEvent, RestrictedJoinNeedsAuthorisingServer) {
  Keys keys;
  json ev = member_event();
  sign_event(ev, rv("9"), "b.org", keys.b);
  auto result = verify_event(ev, rv("9"), keys.lookup());
  EXPECT_EQ(result.verdict, EventVerdict::reject);
  EXPECT_EQ(result.server, "a.org");
  EXPECT_EQ(result.signature_error, SignatureError::not_signed);
  // Before restricted joins existed the field means nothing.
  json old = member_event();
  sign_event(old, rv("7"), "b.org", keys.b);
  EXPECT_EQ(verify_event(old, rv("7"), keys.lookup()).verdict, EventVerdict::accept);
  // With the authorising server's signature (made over the same redacted form) it passes.
  json both = ev;
  const auto sig = ed25519_sign(keys.a.pair, redacted_signable_json(both, rv("9")));
  both["signatures"]["a.org"][keys.a.key_id] = base64_encode(as_bytes(sig));
  EXPECT_EQ(verify_event(both, rv("9"), keys.lookup()).verdict, EventVerdict::accept);
  EXPECT_EQ(required_signers(both, rv("9")), (std::vector<std::string>{"a.org", "b.org"}));
}

TEST(VerifyEvent, V1NeedsEventIdDomainSignature) {
  Keys keys;
  json ev = member_event();
  ev["event_id"] = "$x:a.org";
  sign_event(ev, rv("1"), "b.org", keys.b);
  auto result = verify_event(ev, rv("1"), keys.lookup());
  EXPECT_EQ(result.verdict, EventVerdict::reject);
  EXPECT_EQ(result.server, "a.org");
  EXPECT_EQ(result.event_id, "$x:a.org");
  ev["event_id"] = "$x:b.org";
  sign_event(ev, rv("1"), "b.org", keys.b);
  EXPECT_EQ(verify_event(ev, rv("1"), keys.lookup()).verdict, EventVerdict::accept);
  // Version 3 dropped the rule.
  json v3 = member_event();
  v3["content"].erase("join_authorised_via_users_server");
  sign_event(v3, rv("3"), "b.org", keys.b);
  EXPECT_EQ(verify_event(v3, rv("3"), keys.lookup()).verdict, EventVerdict::accept);
}

TEST(VerifyEvent, KeyValidityFromVersion5) {
  Keys keys;
  keys.valid_until = 999;  // the event's origin_server_ts is 1000
  json ev = member_event();
  ev["content"].erase("join_authorised_via_users_server");
  sign_event(ev, rv("4"), "b.org", keys.b);
  EXPECT_EQ(verify_event(ev, rv("4"), keys.lookup()).verdict, EventVerdict::accept);
  sign_event(ev, rv("5"), "b.org", keys.b);
  const auto result = verify_event(ev, rv("5"), keys.lookup());
  EXPECT_EQ(result.verdict, EventVerdict::reject);
  EXPECT_EQ(result.signature_error, SignatureError::key_expired);
}

TEST(VerifyEvent, RedactedEventStillVerifies) {
  Keys keys;
  for (const auto& version : known_room_versions()) {
    json ev = member_event();
    ev["content"].erase("join_authorised_via_users_server");
    if (version.event_id_domain_signature) {
      ev["event_id"] = "$e:b.org";
    }
    sign_event(ev, version, "b.org", keys.b);
    const json redacted = redact(ev, version);
    const auto result = verify_event(redacted, version, keys.lookup());
    EXPECT_NE(result.verdict, EventVerdict::reject) << version.id;
    EXPECT_EQ(result.event_id, verify_event(ev, version, keys.lookup()).event_id);
  }
}

}  // namespace
}  // namespace ranvier::core
