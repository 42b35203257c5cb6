#include "core/signing.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/canonical_json.hpp"
#include "core/key_file.hpp"
#include "core/test_support.hpp"

namespace ranvier::core {
namespace {

using nlohmann::json;

TEST(SignJson, SpecVectors) {
  const auto key = testing::spec_signing_key();
  EXPECT_EQ(key.public_key_base64(),
            testing::spec_vectors().at("signing_key").at("derived_public_key_unpadded_base64"));
  for (const auto& v : testing::spec_vectors().at("json_signing")) {
    json object = v.at("input");
    sign_json(object, "domain", key);
    EXPECT_EQ(object, v.at("expected")) << v.at("id");
    EXPECT_FALSE(verify_json_signature(object, "domain", testing::single_key_lookup("domain", key)));
  }
}

TEST(SignJson, KeepsUnsignedAndOtherSignatures) {
  const auto key = testing::spec_signing_key();
  json object = {{"a", 1},
                 {"unsigned", {{"age", 5}}},
                 {"signatures", {{"other.org", {{"ed25519:x", "abc"}}}}}};
  sign_json(object, "domain", key);
  EXPECT_EQ(object["unsigned"]["age"], 5);
  EXPECT_EQ(object["signatures"]["other.org"]["ed25519:x"], "abc");
  EXPECT_TRUE(object["signatures"]["domain"].contains("ed25519:1"));
  // `unsigned` is not covered: changing it keeps the signature valid.
  object["unsigned"]["age"] = 6;
  EXPECT_FALSE(verify_json_signature(object, "domain", testing::single_key_lookup("domain", key)));
}

TEST(VerifyJson, TypedFailures) {
  const auto key = testing::spec_signing_key();
  const auto lookup = testing::single_key_lookup("domain", key);
  json object = {{"a", 1}};
  EXPECT_EQ(verify_json_signature(object, "domain", lookup), SignatureError::not_signed);
  EXPECT_EQ(verify_json_signature(json::array(), "domain", lookup), SignatureError::not_an_object);
  sign_json(object, "domain", key);
  EXPECT_EQ(verify_json_signature(object, "elsewhere", lookup), SignatureError::not_signed);

  json unknown = object;
  unknown["signatures"]["domain"] = {{"ed25519:2", object["signatures"]["domain"]["ed25519:1"]}};
  EXPECT_EQ(verify_json_signature(unknown, "domain", lookup), SignatureError::unknown_key);

  json other_algo = object;
  other_algo["signatures"]["domain"] = {{"curve25519:1", "abc"}};
  EXPECT_EQ(verify_json_signature(other_algo, "domain", lookup), SignatureError::not_signed);

  json bad_b64 = object;
  bad_b64["signatures"]["domain"]["ed25519:1"] = "not base64!";
  EXPECT_EQ(verify_json_signature(bad_b64, "domain", lookup), SignatureError::bad_encoding);
  bad_b64["signatures"]["domain"]["ed25519:1"] = "AAAA";
  EXPECT_EQ(verify_json_signature(bad_b64, "domain", lookup), SignatureError::bad_encoding);

  json tampered = object;
  tampered["a"] = 2;
  EXPECT_EQ(verify_json_signature(tampered, "domain", lookup), SignatureError::invalid_signature);

  const auto expired = testing::single_key_lookup("domain", key, 1000);
  EXPECT_FALSE(verify_json_signature(object, "domain", expired, 999));
  EXPECT_FALSE(verify_json_signature(object, "domain", expired, 1000));
  EXPECT_EQ(verify_json_signature(object, "domain", expired, 1001), SignatureError::key_expired);
}

TEST(VerifyJson, MultipleKeysAndEntities) {
  const auto a = *make_signing_key("a", ed25519_generate().seed);
  const auto b = *make_signing_key("b", ed25519_generate().seed);
  json object = {{"content", "x"}};
  sign_json(object, "one.org", a);
  sign_json(object, "one.org", b);
  sign_json(object, "two.org", b);
  const VerifyKeyLookup both = [&](std::string_view, std::string_view id) -> std::optional<VerifyKey> {
    if (id == a.key_id) {
      return VerifyKey{a.pair.public_key};
    }
    if (id == b.key_id) {
      return VerifyKey{b.pair.public_key};
    }
    return std::nullopt;
  };
  EXPECT_FALSE(verify_json_signature(object, "one.org", both));
  EXPECT_FALSE(verify_json_signature(object, "two.org", both));
  EXPECT_FALSE(verify_json_signature(object, "one.org", testing::single_key_lookup("one.org", a)));
  // A known key with a bad signature fails even if another known key verifies.
  object["signatures"]["one.org"][b.key_id] = object["signatures"]["one.org"][a.key_id];
  EXPECT_EQ(verify_json_signature(object, "one.org", both), SignatureError::invalid_signature);
}

TEST(VerifyJsonProperty, AnyOneByteChangeFails) {
  const auto key = testing::spec_signing_key();
  const auto lookup = testing::single_key_lookup("domain", key);
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    json object = {{"payload", testing::random_json(rng)}, {"n", i}};
    sign_json(object, "domain", key);
    const std::string signable = signable_json(object);
    ASSERT_FALSE(verify_json_signature(object, "domain", lookup));
    std::string mutated = signable;
    const auto pos = rng() % mutated.size();
    mutated[pos] = static_cast<char>(mutated[pos] ^ (1 + rng() % 255));
    EXPECT_EQ(verify_signatures_over(mutated, object["signatures"], "domain", lookup),
              SignatureError::invalid_signature);
    // If the mutated text still parses, re-encoding it must not verify either.
    if (auto parsed = parse_json_strict(mutated, NumberPolicy::lenient); parsed && parsed->is_object()) {
      (*parsed)["signatures"] = object["signatures"];
      EXPECT_TRUE(verify_json_signature(*parsed, "domain", lookup)) << mutated;
    }
  }
}

TEST(KeyFile, SynapseRoundTrip) {
  const auto parsed = parse_synapse_key_file("ed25519 a_1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1\n");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].key_id, "ed25519:a_1");
  EXPECT_EQ((*parsed)[0].public_key_base64(), "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI");
  // The spec's seed text has non-zero padding bits in its last character; writing canonicalises.
  const auto written = write_synapse_key_file(*parsed);
  EXPECT_EQ(written, "ed25519 a_1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n");
  EXPECT_EQ((*parse_synapse_key_file(written))[0].pair.seed, (*parsed)[0].pair.seed);
  const auto two = parse_key_file("ed25519 a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\n"
                                  "ed25519 b BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA\r\n");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
}

TEST(KeyFile, SynapseErrors) {
  const std::pair<const char*, KeyFileError> cases[] = {
      {"", KeyFileError::empty},
      {"\n\n", KeyFileError::empty},
      {"ed25519 a", KeyFileError::malformed_line},
      {"ed25519 a b c", KeyFileError::malformed_line},
      {"rsa a AAAA", KeyFileError::unknown_algorithm},
      {"ed25519 a-b AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", KeyFileError::bad_key_id},
      {"ed25519 a !!!!", KeyFileError::bad_base64},
      {"ed25519 a AAAA", KeyFileError::bad_seed_length},
  };
  for (const auto& [text, error] : cases) {
    const auto r = parse_synapse_key_file(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error(), error) << text << ": " << to_string(r.error());
  }
}

TEST(KeyFile, DendritePem) {
  // Layout as Dendrite's own tests write it (no blank line after the header).
  const auto parsed = parse_dendrite_key_file(
      "\n-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:c8NsuQ\n"
      "7KRZiZ2sTyRR8uqqUjRwczuwRXXkUMYIUHq4Mc3t4bE=\n-----END MATRIX PRIVATE KEY-----\n");
  ASSERT_TRUE(parsed) << to_string(parsed.error());
  EXPECT_EQ((*parsed)[0].key_id, "ed25519:c8NsuQ");
  const auto written = write_dendrite_key_file((*parsed)[0]);
  EXPECT_EQ(written,
            "-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:c8NsuQ\n\n"
            "7KRZiZ2sTyRR8uqqUjRwczuwRXXkUMYIUHq4Mc3t4bE=\n-----END MATRIX PRIVATE KEY-----\n");
  const auto again = parse_key_file(written);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0].pair.public_key, (*parsed)[0].pair.public_key);
}

TEST(KeyFile, DendriteErrors) {
  const std::string begin = "-----BEGIN MATRIX PRIVATE KEY-----\n";
  const std::string end = "-----END MATRIX PRIVATE KEY-----\n";
  const std::string seed = "7KRZiZ2sTyRR8uqqUjRwczuwRXXkUMYIUHq4Mc3t4bE=\n";
  EXPECT_EQ(parse_dendrite_key_file(begin + seed + end).error(), KeyFileError::bad_key_id);
  EXPECT_EQ(parse_dendrite_key_file(begin + "Key-ID: rsa:1\n" + seed + end).error(),
            KeyFileError::unknown_algorithm);
  EXPECT_EQ(parse_dendrite_key_file(begin + "Key-ID: ed25519:1\n" + seed).error(),
            KeyFileError::malformed_pem);
  EXPECT_EQ(parse_dendrite_key_file(begin + "Key-ID: ed25519:1\nAAAA\n" + end).error(),
            KeyFileError::bad_seed_length);
  EXPECT_EQ(parse_dendrite_key_file("-----BEGIN CERTIFICATE-----\n").error(), KeyFileError::empty);
}

}  // namespace
}  // namespace ranvier::core
