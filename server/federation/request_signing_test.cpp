#include "federation/request_signing.hpp"

#include "core/base64.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ranvier::federation {
namespace {

/// The signing key of the spec's test vectors (appendices, "Signing key").
core::SigningKey spec_key() {
  const auto seed = core::base64_decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
  core::Ed25519Seed bytes{};
  std::copy(seed->begin(), seed->end(), bytes.begin());
  return *core::make_signing_key("1", bytes);
}

constexpr std::string_view origin = "origin.hs.example.com";
constexpr std::string_view destination = "destination.hs.example.com";

core::VerifyKeyLookup lookup_of(const core::SigningKey& key, std::int64_t valid_until = INT64_MAX) {
  return [key, valid_until](std::string_view server, std::string_view key_id) -> std::optional<core::VerifyKey> {
    if (server == origin && key_id == key.key_id) {
      return core::VerifyKey{key.pair.public_key, valid_until};
    }
    return std::nullopt;
  };
}

TEST(RequestSigningTest, SignatureMatchesAnIndependentSigner) {
  // Signatures computed with PyNaCl over the spec's signing JSON (sorted keys, no spaces) for
  // the spec's test key: a PUT with a body, and a GET with a query string.
  const nlohmann::json body{{"pdus", nlohmann::json::array()}, {"origin", origin}, {"origin_server_ts", 1}};
  const auto put = authorization_header(
      SignedRequest{"PUT", "/_matrix/federation/v1/send/txn1?x=1", origin, destination, &body}, spec_key());
  EXPECT_EQ(put,
            "X-Matrix origin=\"origin.hs.example.com\",destination=\"destination.hs.example.com\","
            "key=\"ed25519:1\",sig=\"To9V8942J21gUYFhz+6FVAPtUxuXl41zGov/IZ1ZZWKLVxPcXOPeOn8UijtUJw9rgow0XciJgWSTGKKDCNCSBg\"");
  const auto get = authorization_header(
      SignedRequest{"GET", "/_matrix/federation/v1/query/profile?user_id=%40a%3Ab", origin, destination}, spec_key());
  EXPECT_NE(get.find("sig=\"AkJRU0474vNaCEje2SpdWGlmU4m7N8jHMfSeQOhs2W2jZX0Ol45RhYG7ZO2XlJNPtkZk1Kl5nqURnsgJTF7pAA\""),
            std::string::npos);
}

TEST(RequestSigningTest, VerifiesWhatItSigns) {
  const auto key = spec_key();
  const nlohmann::json body{{"a", 1}};
  const auto header = authorization_header(SignedRequest{"POST", "/x?y=1", origin, destination, &body}, key);
  const auto auth = *parse_x_matrix(header);
  auto ok = verify_request(auth, "POST", "/x?y=1", &body, destination, lookup_of(key), 1000);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, origin);

  auto expect_error = [&](std::string_view method, std::string_view uri, const nlohmann::json* content,
                          std::string_view us, const core::VerifyKeyLookup& lookup, RequestAuthError e) {
    auto r = verify_request(auth, method, uri, content, us, lookup, 1000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), e);
  };
  const nlohmann::json other_body{{"a", 2}};
  expect_error("PUT", "/x?y=1", &body, destination, lookup_of(key), RequestAuthError::bad_signature);
  expect_error("POST", "/x?y=2", &body, destination, lookup_of(key), RequestAuthError::bad_signature);
  expect_error("POST", "/x?y=1", &other_body, destination, lookup_of(key), RequestAuthError::bad_signature);
  expect_error("POST", "/x?y=1", nullptr, destination, lookup_of(key), RequestAuthError::bad_signature);
  expect_error("POST", "/x?y=1", &body, "someone.else", lookup_of(key), RequestAuthError::wrong_destination);
  expect_error("POST", "/x?y=1", &body, destination, lookup_of(key, 999), RequestAuthError::key_expired);
  const auto stranger = *core::make_signing_key("1", core::ed25519_generate().seed);
  expect_error("POST", "/x?y=1", &body, destination, lookup_of(stranger), RequestAuthError::bad_signature);
  const core::VerifyKeyLookup nothing = [](std::string_view, std::string_view) { return std::nullopt; };
  expect_error("POST", "/x?y=1", &body, destination, nothing, RequestAuthError::unknown_key);
}

TEST(RequestSigningTest, MissingDestinationMeansUs) {
  const auto key = spec_key();
  auto auth = *parse_x_matrix(authorization_header(SignedRequest{"GET", "/v", origin, destination}, key));
  auth.destination.reset();
  EXPECT_TRUE(verify_request(auth, "GET", "/v", nullptr, destination, lookup_of(key), 0));
  EXPECT_FALSE(verify_request(auth, "GET", "/v", nullptr, "elsewhere.example", lookup_of(key), 0));
}

TEST(RequestSigningTest, MalformedSignaturesAndOrigins) {
  const auto key = spec_key();
  auto auth = *parse_x_matrix(authorization_header(SignedRequest{"GET", "/v", origin, destination}, key));
  auto bad = auth;
  bad.sig = "not base64!";
  EXPECT_EQ(verify_request(bad, "GET", "/v", nullptr, destination, lookup_of(key), 0).error(),
            RequestAuthError::bad_signature);
  bad = auth;
  bad.sig = "AAAA";
  EXPECT_EQ(verify_request(bad, "GET", "/v", nullptr, destination, lookup_of(key), 0).error(),
            RequestAuthError::bad_signature);
  bad = auth;
  bad.origin = "bad origin";
  EXPECT_EQ(verify_request(bad, "GET", "/v", nullptr, destination, lookup_of(key), 0).error(),
            RequestAuthError::bad_origin);
  bad = auth;
  bad.key = "rsa:1";
  EXPECT_EQ(verify_request(bad, "GET", "/v", nullptr, destination, lookup_of(key), 0).error(),
            RequestAuthError::unknown_key);
}

}  // namespace
}  // namespace ranvier::federation
