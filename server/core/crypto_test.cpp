// Base64, SHA-256 and ed25519 primitives.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/base64.hpp"
#include "core/ed25519.hpp"
#include "core/sha256.hpp"

namespace ranvier::core {
namespace {

TEST(Base64, SpecExamples) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},       {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto back = base64_decode(encoded);
    ASSERT_TRUE(back) << encoded;
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64, AcceptsPaddingAndRejectsGarbage) {
  EXPECT_EQ(*base64_decode("Zg=="), "f");
  EXPECT_EQ(*base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zg=").error(), Base64Error::invalid_length);
  EXPECT_EQ(base64_decode("Zm9vY").error(), Base64Error::invalid_length);
  EXPECT_EQ(base64_decode("Zm9v=").error(), Base64Error::invalid_length);
  EXPECT_EQ(base64_decode("Zm9vYg=A").error(), Base64Error::invalid_character);
  EXPECT_EQ(base64_decode("Zm-v").error(), Base64Error::invalid_character);
  EXPECT_EQ(base64url_decode("Zm+v").error(), Base64Error::invalid_character);
  EXPECT_EQ(base64_decode("Zm 9").error(), Base64Error::invalid_character);
}

TEST(Base64, UrlSafeRoundTripsRandomBytes) {
  std::mt19937 rng(42);
  for (int n = 0; n < 200; ++n) {
    std::string bytes(n % 67, '\0');
    for (auto& b : bytes) {
      b = static_cast<char>(rng());
    }
    const auto url = base64url_encode(bytes);
    EXPECT_EQ(url.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(*base64url_decode(url), bytes);
    EXPECT_EQ(*base64_decode(base64_encode(bytes)), bytes);
  }
}

TEST(Sha256, KnownDigest) {
  EXPECT_EQ(base64_encode(as_bytes(sha256("abc"))),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
  EXPECT_EQ(base64_encode(as_bytes(sha256(""))), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}

TEST(Ed25519, SpecSeedGivesKnownPublicKey) {
  auto seed_bytes = base64_decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
  ASSERT_TRUE(seed_bytes);
  ASSERT_EQ(seed_bytes->size(), 32u);
  Ed25519Seed seed;
  std::copy(seed_bytes->begin(), seed_bytes->end(), seed.begin());
  const auto pair = ed25519_from_seed(seed);
  EXPECT_EQ(base64_encode(as_bytes(pair.public_key)), "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI");
  const auto sig = ed25519_sign(pair, "{}");
  // Spec vector json-sign-1: the signature of the canonical empty object.
  EXPECT_EQ(base64_encode(as_bytes(sig)),
            "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ");
  EXPECT_TRUE(ed25519_verify(pair.public_key, "{}", sig));
  EXPECT_FALSE(ed25519_verify(pair.public_key, "{ }", sig));
}

TEST(Ed25519, GeneratedKeysSignAndVerify) {
  const auto a = ed25519_generate();
  const auto b = ed25519_generate();
  EXPECT_NE(a.public_key, b.public_key);
  const auto sig = ed25519_sign(a, "message");
  EXPECT_TRUE(ed25519_verify(a.public_key, "message", sig));
  EXPECT_FALSE(ed25519_verify(b.public_key, "message", sig));
}

TEST(KeyId, Grammar) {
  EXPECT_EQ(ed25519_key_version("ed25519:a_1"), "a_1");
  EXPECT_FALSE(ed25519_key_version("ed25519:"));
  EXPECT_FALSE(ed25519_key_version("ed25519:a-b"));
  EXPECT_FALSE(ed25519_key_version("curve25519:abc"));
  EXPECT_TRUE(is_valid_key_id("curve25519:abc"));
  EXPECT_FALSE(is_valid_key_id(":abc"));
  EXPECT_FALSE(is_valid_key_id("abc"));
}

}  // namespace
}  // namespace ranvier::core
