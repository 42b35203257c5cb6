// The pure parts of the end-to-end key endpoints: sync tokens with and without their
// device-list part, and the signature checks over device and cross-signing keys.

#include "api/client/key_signatures.hpp"
#include "api/client/stream_tokens.hpp"
#include "core/base64.hpp"
#include "core/signing.hpp"

#include <gtest/gtest.h>

namespace ranvier::api::client_server {
namespace {

TEST(SyncTokenTest, CarriesTheDeviceListPosition) {
  SyncToken token{1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(token.text(), "s1_2_3_4_5_6_7");
  auto parsed = SyncToken::parse(token.text());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->device_lists, 7);
  EXPECT_EQ(parsed->presence, 6);
}

TEST(SyncTokenTest, OlderTokensStillParse) {
  auto six = SyncToken::parse("s10_20_30_40_50_60");
  ASSERT_TRUE(six);
  EXPECT_EQ(six->presence, 60);
  EXPECT_EQ(six->device_lists, 0);
  auto two = SyncToken::parse("s10_20");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->device_lists, 0);
  EXPECT_FALSE(SyncToken::parse("s1_2_3_4_5_6_7_8"));
  EXPECT_FALSE(SyncToken::parse("s1_2_3_4_5_6_-7"));
  EXPECT_FALSE(SyncToken::parse("s1_2_3_4_5_6_"));
}

/// A device-key-like object signed by `user` with `key_id`.
nlohmann::json signed_object(const core::Ed25519KeyPair& pair, const std::string& user, const std::string& key_id) {
  nlohmann::json object = {{"user_id", user},
                           {"keys", {{key_id, core::base64_encode(core::as_bytes(pair.public_key))}}},
                           {"unsigned", {{"device_display_name", "ignored by signatures"}}}};
  const auto signature = core::ed25519_sign(pair, core::signable_json(object));
  object["signatures"][user][key_id] = core::base64_encode(core::as_bytes(signature));
  return object;
}

TEST(KeySignaturesTest, AcceptsOnlyTheSignatureOfTheNamedKeyOverTheSameContent) {
  const auto pair = core::ed25519_generate();
  const auto other = core::ed25519_generate();
  auto object = signed_object(pair, "@a:x", "ed25519:DEV");
  const auto key = ed25519_key_in(object["keys"], "ed25519:DEV");
  ASSERT_TRUE(key);
  EXPECT_TRUE(has_valid_signature(object, "@a:x", "ed25519:DEV", *key));
  EXPECT_FALSE(has_valid_signature(object, "@a:x", "ed25519:DEV", other.public_key));
  EXPECT_FALSE(has_valid_signature(object, "@b:x", "ed25519:DEV", *key));
  EXPECT_FALSE(has_valid_signature(object, "@a:x", "ed25519:OTHER", *key));
  // `unsigned` is outside the signature; everything else is inside.
  object["unsigned"] = {{"changed", true}};
  EXPECT_TRUE(has_valid_signature(object, "@a:x", "ed25519:DEV", *key));
  object["user_id"] = "@c:x";
  EXPECT_FALSE(has_valid_signature(object, "@a:x", "ed25519:DEV", *key));
  object = signed_object(pair, "@a:x", "ed25519:DEV");
  object["signatures"]["@a:x"]["ed25519:DEV"] = "not base64!";
  EXPECT_FALSE(has_valid_signature(object, "@a:x", "ed25519:DEV", *key));
  EXPECT_FALSE(has_valid_signature(nlohmann::json::array(), "@a:x", "ed25519:DEV", *key));
  EXPECT_FALSE(ed25519_key_in(object["keys"], "ed25519:MISSING"));
  EXPECT_FALSE(ed25519_key_in(nlohmann::json{{"ed25519:DEV", "c2hvcnQ"}}, "ed25519:DEV"));
}

TEST(KeySignaturesTest, CrossSigningKeysNameTheirOwnPublicKey) {
  const auto pair = core::ed25519_generate();
  const std::string public_key = core::base64_encode(core::as_bytes(pair.public_key));
  const nlohmann::json good = {{"user_id", "@a:x"}, {"usage", {"master"}}, {"keys", {{"ed25519:" + public_key, public_key}}}};
  auto found = cross_signing_public_key(good);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key_id, "ed25519:" + public_key);
  EXPECT_EQ(found->key, pair.public_key);
  EXPECT_FALSE(cross_signing_public_key({{"keys", {{"ed25519:other", public_key}}}}));
  EXPECT_FALSE(cross_signing_public_key({{"keys", nlohmann::json::object()}}));
  EXPECT_FALSE(cross_signing_public_key(
      {{"keys", {{"ed25519:" + public_key, public_key}, {"ed25519:second", public_key}}}}));
  EXPECT_FALSE(cross_signing_public_key({{"keys", {{"ed25519:abc", "abc"}}}}));
  EXPECT_FALSE(cross_signing_public_key("text"));
}

TEST(KeySignaturesTest, ErrorBodiesCarryTheirExtraMembers) {
  EXPECT_EQ(error_body("M_WRONG_ROOM_KEYS_VERSION", "Wrong", {{"current_version", "3"}}),
            (nlohmann::json{{"errcode", "M_WRONG_ROOM_KEYS_VERSION"}, {"error", "Wrong"}, {"current_version", "3"}}));
}

}  // namespace
}  // namespace ranvier::api::client_server
