// What a client's key query keeps of another server's answer: only users of that server that
// were asked about, device keys under their own user and device ID with their own signature,
// master keys of the right usage, self-signing keys signed by that master key.

#include "api/client/remote_keys.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "core/ed25519.hpp"
#include "core/signing.hpp"

namespace ranvier::api::client_server {
namespace {

std::string public_b64(const core::Ed25519KeyPair& pair) {
  return core::base64_encode(core::as_bytes(pair.public_key));
}

void sign_as(nlohmann::json& object, const core::Ed25519KeyPair& pair, const std::string& user,
             const std::string& key_id) {
  const auto signature = core::ed25519_sign(pair, core::signable_json(object));
  object["signatures"][user][key_id] = core::base64_encode(core::as_bytes(signature));
}

nlohmann::json device_keys(const core::Ed25519KeyPair& pair, const std::string& user, const std::string& device) {
  nlohmann::json keys = {{"user_id", user},
                         {"device_id", device},
                         {"algorithms", {"m.olm.v1.curve25519-aes-sha2"}},
                         {"keys", {{"ed25519:" + device, public_b64(pair)}}}};
  sign_as(keys, pair, user, "ed25519:" + device);
  return keys;
}

nlohmann::json cross_signing_key(const core::Ed25519KeyPair& pair, const std::string& user, const std::string& usage,
                                 const core::Ed25519KeyPair* signer = nullptr) {
  nlohmann::json key = {
      {"user_id", user}, {"usage", {usage}}, {"keys", {{"ed25519:" + public_b64(pair), public_b64(pair)}}}};
  if (signer != nullptr) {
    sign_as(key, *signer, user, "ed25519:" + public_b64(*signer));
  }
  return key;
}

TEST(RemoteKeysTest, KeepsOnlyDeviceKeysOfAskedUsersUnderTheirOwnIds) {
  const auto a1 = core::ed25519_generate(), a2 = core::ed25519_generate(), other = core::ed25519_generate();
  const auto b1 = core::ed25519_generate(), b2 = core::ed25519_generate();
  auto forged = device_keys(a1, "@a:hs2", "A4");
  forged["signatures"] = device_keys(other, "@a:hs2", "A4")["signatures"];
  auto tampered = device_keys(a1, "@a:hs2", "A6");
  tampered["algorithms"].push_back("extra");
  auto with_unsigned = device_keys(a1, "@a:hs2", "A7");
  with_unsigned["unsigned"] = {{"device_display_name", "Phone"}};
  const nlohmann::json answer = {
      {"device_keys",
       {{"@a:hs2",
         {{"A1", device_keys(a1, "@a:hs2", "A1")},
          {"A3", device_keys(a2, "@a:hs2", "A2")},  // listed under another device ID
          {"A4", forged},                           // signed by a key that is not the device's
          {"A5", device_keys(a2, "@x:hs2", "A5")},  // another user's device
          {"A6", tampered},                         // changed after signing
          {"A7", with_unsigned}}},
        {"@b:hs2", {{"B1", device_keys(b1, "@b:hs2", "B1")}, {"B2", device_keys(b2, "@b:hs2", "B2")}}},
        {"@c:hs2", {{"C1", device_keys(b1, "@c:hs2", "C1")}}},     // not asked about
        {"@a:hs3", {{"A1", device_keys(a1, "@a:hs3", "A1")}}}}}};  // not this server's user
  const nlohmann::json asked = {
      {"@a:hs2", nlohmann::json::array()}, {"@b:hs2", {"B1"}}, {"@a:hs3", nlohmann::json::array()}};
  RemoteKeys out;
  take_query_answer("hs2", asked, answer, out);
  EXPECT_EQ(out.device_keys.size(), 2U);
  ASSERT_TRUE(out.device_keys.contains("@a:hs2"));
  std::vector<std::string> kept;
  for (const auto& [device, keys] : out.device_keys["@a:hs2"].items()) {
    kept.push_back(device);
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"A1", "A7"}));
  EXPECT_EQ(out.device_keys["@a:hs2"]["A7"]["unsigned"]["device_display_name"], "Phone");
  ASSERT_TRUE(out.device_keys.contains("@b:hs2"));
  EXPECT_EQ(out.device_keys["@b:hs2"].size(), 1U);
  EXPECT_TRUE(out.device_keys["@b:hs2"].contains("B1"));
}

TEST(RemoteKeysTest, KeepsMasterKeysAndSelfSigningKeysTheMasterSigned) {
  const auto master = core::ed25519_generate(), self_signing = core::ed25519_generate();
  const auto other = core::ed25519_generate();
  const nlohmann::json asked = {
      {"@a:hs2", nlohmann::json::array()}, {"@b:hs2", nlohmann::json::array()}, {"@c:hs2", nlohmann::json::array()}};
  const nlohmann::json answer = {
      {"master_keys",
       {{"@a:hs2", cross_signing_key(master, "@a:hs2", "master")},
        {"@b:hs2", cross_signing_key(master, "@b:hs2", "self_signing")},  // wrong usage
        {"@c:hs2", cross_signing_key(master, "@c:hs2", "master")}}},
      {"self_signing_keys",
       {{"@a:hs2", cross_signing_key(self_signing, "@a:hs2", "self_signing", &master)},
        {"@b:hs2", cross_signing_key(self_signing, "@b:hs2", "self_signing", &master)},    // no valid master
        {"@c:hs2", cross_signing_key(self_signing, "@c:hs2", "self_signing", &other)}}}};  // not the master's
  RemoteKeys out;
  take_query_answer("hs2", asked, answer, out);
  EXPECT_TRUE(out.master_keys.contains("@a:hs2"));
  EXPECT_FALSE(out.master_keys.contains("@b:hs2"));
  EXPECT_TRUE(out.master_keys.contains("@c:hs2"));
  EXPECT_TRUE(out.self_signing_keys.contains("@a:hs2"));
  EXPECT_FALSE(out.self_signing_keys.contains("@b:hs2"));
  EXPECT_FALSE(out.self_signing_keys.contains("@c:hs2"));
}

TEST(RemoteKeysTest, MalformedAnswersAddNothing) {
  const nlohmann::json asked = {{"@a:hs2", nlohmann::json::array()}};
  for (const auto& answer : {nlohmann::json("text"), nlohmann::json::array(), nlohmann::json{{"device_keys", 5}},
                             nlohmann::json{{"device_keys", {{"@a:hs2", "x"}}}},
                             nlohmann::json{{"device_keys", {{"@a:hs2", {{"A1", 7}}}}}, {"master_keys", {1, 2}}},
                             nlohmann::json{{"master_keys", {{"@a:hs2", {{"usage", "master"}}}}}}}) {
    RemoteKeys out;
    take_query_answer("hs2", asked, answer, out);
    EXPECT_TRUE(out.master_keys.empty()) << answer;
    EXPECT_TRUE(out.device_keys.empty() || out.device_keys["@a:hs2"].empty()) << answer;
    RemoteClaims claims;
    take_claim_answer("hs2", {{"@a:hs2", {{"A1", "signed_curve25519"}}}}, answer, claims);
    EXPECT_TRUE(claims.one_time_keys.empty()) << answer;
  }
}

TEST(RemoteKeysTest, ClaimsKeepOneKeyOfTheAskedAlgorithmPerAskedDevice) {
  const nlohmann::json asked = {{"@a:hs2", {{"A1", "signed_curve25519"}, {"A2", "signed_curve25519"}}}};
  const nlohmann::json key = {{"key", "abc"}, {"signatures", nlohmann::json::object()}};
  const nlohmann::json answer = {{"one_time_keys",
                                  {{"@a:hs2",
                                    {{"A1", {{"signed_curve25519:K1", key}}},
                                     {"A2", {{"curve25519:K2", "plain"}}},       // not the algorithm asked for
                                     {"A9", {{"signed_curve25519:K9", key}}}}},  // not asked for
                                   {"@b:hs2", {{"B1", {{"signed_curve25519:K", key}}}}}}}};
  RemoteClaims out;
  take_claim_answer("hs2", asked, answer, out);
  EXPECT_EQ(out.one_time_keys, (nlohmann::json{{"@a:hs2", {{"A1", {{"signed_curve25519:K1", key}}}}}}));
}

}  // namespace
}  // namespace ranvier::api::client_server
