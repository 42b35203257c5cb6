#include "core/server_keys.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"

namespace ranvier::core {
namespace {

using nlohmann::json;

struct Fixture {
  SigningKey a = *make_signing_key("a", ed25519_generate().seed);
  SigningKey b = *make_signing_key("b", ed25519_generate().seed);
  OldVerifyKey old{"ed25519:old", ed25519_generate().public_key, 500};
};

TEST(ServerKeys, BuildAndVerifyRoundTrip) {
  Fixture f;
  const json doc = build_server_keys("example.org", {f.a, f.b}, {f.old}, 86400000);
  EXPECT_EQ(doc["server_name"], "example.org");
  EXPECT_EQ(doc["valid_until_ts"], 86400000);
  EXPECT_EQ(doc["verify_keys"][f.a.key_id]["key"], f.a.public_key_base64());
  EXPECT_EQ(doc["old_verify_keys"]["ed25519:old"]["expired_ts"], 500);
  EXPECT_EQ(doc["signatures"]["example.org"].size(), 2u);

  const auto keys = verify_server_keys(doc, "example.org");
  ASSERT_TRUE(keys) << to_string(keys.error());
  EXPECT_EQ(keys->valid_until_ts, 86400000);
  EXPECT_EQ(keys->find(f.a.key_id)->key, f.a.pair.public_key);
  EXPECT_EQ(keys->find(f.b.key_id)->valid_until_ts, 86400000);
  EXPECT_EQ(keys->find("ed25519:old")->valid_until_ts, 500);
  EXPECT_EQ(keys->find("ed25519:old")->key, f.old.key);
  EXPECT_FALSE(keys->find("ed25519:zzz"));
}

TEST(ServerKeys, NotarySignatureDoesNotDisturbSelfSignature) {
  Fixture f;
  json doc = build_server_keys("example.org", {f.a}, {}, 1);
  const auto notary = *make_signing_key("n", ed25519_generate().seed);
  sign_json(doc, "notary.org", notary);
  EXPECT_TRUE(verify_server_keys(doc, "example.org"));
}

TEST(ServerKeys, NotaryResponseCoSigns) {
  Fixture f;
  const auto notary = *make_signing_key("n", ed25519_generate().seed);
  const json response =
      build_notary_response({build_server_keys("example.org", {f.a}, {}, 1)}, "notary.org", {notary});
  ASSERT_EQ(response["server_keys"].size(), 1u);
  const json& doc = response["server_keys"][0];
  EXPECT_TRUE(verify_server_keys(doc, "example.org"));
  const VerifyKeyLookup notary_lookup = [&](std::string_view, std::string_view id) -> std::optional<VerifyKey> {
    return id == notary.key_id ? std::optional<VerifyKey>(VerifyKey{notary.pair.public_key}) : std::nullopt;
  };
  EXPECT_FALSE(verify_json_signature(doc, "notary.org", notary_lookup));
}

TEST(ServerKeys, ValidityCappedAtSevenDays) {
  const std::int64_t day = 24LL * 60 * 60 * 1000;
  EXPECT_EQ(capped_valid_until(1000 + day, 1000), 1000 + day);
  EXPECT_EQ(capped_valid_until(1000 + 30 * day, 1000), 1000 + 7 * day);
  EXPECT_EQ(capped_valid_until(INT64_MAX, INT64_MAX - 5), INT64_MAX);
}

TEST(ServerKeys, Rejections) {
  Fixture f;
  const json doc = build_server_keys("example.org", {f.a}, {f.old}, 1000);
  EXPECT_EQ(verify_server_keys(doc, "other.org").error(), ServerKeysError::wrong_server);
  EXPECT_EQ(verify_server_keys(json::array(), "example.org").error(), ServerKeysError::malformed);

  json extended = doc;
  extended["valid_until_ts"] = 2000;  // covered by the signature
  EXPECT_EQ(verify_server_keys(extended, "example.org").error(), ServerKeysError::signature_failed);

  json unsigned_doc = doc;
  unsigned_doc.erase("signatures");
  EXPECT_EQ(verify_server_keys(unsigned_doc, "example.org").error(),
            ServerKeysError::signature_failed);

  // Signed only by an old key: not acceptable.
  json by_old = doc;
  by_old["signatures"]["example.org"] = {{"ed25519:old", doc["signatures"]["example.org"][f.a.key_id]}};
  EXPECT_EQ(verify_server_keys(by_old, "example.org").error(), ServerKeysError::signature_failed);

  json short_key = doc;
  short_key["verify_keys"][f.a.key_id]["key"] = "AAAA";
  EXPECT_EQ(verify_server_keys(short_key, "example.org").error(), ServerKeysError::bad_key);

  json no_expiry = doc;
  no_expiry["old_verify_keys"]["ed25519:old"].erase("expired_ts");
  EXPECT_EQ(verify_server_keys(no_expiry, "example.org").error(), ServerKeysError::malformed);

  json string_ts = doc;
  string_ts["valid_until_ts"] = "1000";
  EXPECT_EQ(verify_server_keys(string_ts, "example.org").error(), ServerKeysError::malformed);
}

}  // namespace
}  // namespace ranvier::core
