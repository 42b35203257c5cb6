#include "federation/x_matrix.hpp"

#include <gtest/gtest.h>

namespace ranvier::federation {
namespace {

TEST(XMatrixTest, ParsesTheSpecExample) {
  // Spec: server-server API, "Request Authentication", step 2.
  auto auth = parse_x_matrix(
      R"(X-Matrix origin="origin.hs.example.com",destination="destination.hs.example.com",key="ed25519:key1",sig="ABCDEF...")");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->origin, "origin.hs.example.com");
  EXPECT_EQ(auth->destination, "destination.hs.example.com");
  EXPECT_EQ(auth->key, "ed25519:key1");
  EXPECT_EQ(auth->sig, "ABCDEF...");
}

TEST(XMatrixTest, GrammarVariants) {
  // Unquoted values (colons allowed for older servers), any case for names and scheme, white
  // space around '=' and ',', several spaces after the scheme, unknown parameters, no
  // destination (servers before v1.3), empty list elements.
  auto auth = parse_x_matrix("x-matrix   Origin = hs.example:8448 ,KEY=ed25519:a_1,  extra=\"x\",,sig=c2ln+ , ");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->origin, "hs.example:8448");
  EXPECT_FALSE(auth->destination);
  EXPECT_EQ(auth->key, "ed25519:a_1");
  EXPECT_EQ(auth->sig, "c2ln+");
}

TEST(XMatrixTest, QuotedValuesAreUnescaped) {
  auto auth = parse_x_matrix(R"(X-Matrix origin="a\"b\\c",key="k\:1",sig="s")");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->origin, "a\"b\\c");
  EXPECT_EQ(auth->key, "k:1");
}

TEST(XMatrixTest, FormatRoundTrips) {
  XMatrixAuth auth{"origin.example", "dest.example", "ed25519:1", "abc+/"};
  const auto text = format_x_matrix(auth);
  EXPECT_EQ(text, R"(X-Matrix origin="origin.example",destination="dest.example",key="ed25519:1",sig="abc+/")");
  EXPECT_EQ(*parse_x_matrix(text), auth);
  auth.origin = "odd\"name\\";
  auth.destination.reset();
  EXPECT_EQ(*parse_x_matrix(format_x_matrix(auth)), auth);
}

TEST(XMatrixTest, BadHeadersAreTypedErrors) {
  const std::pair<const char*, XMatrixError> cases[] = {
      {"", XMatrixError::wrong_scheme},
      {"Bearer abc", XMatrixError::wrong_scheme},
      {"X-Matrix", XMatrixError::wrong_scheme},
      {"X-Matrixorigin=a", XMatrixError::wrong_scheme},
      {"X-Matrix origin", XMatrixError::malformed},
      {"X-Matrix origin=", XMatrixError::malformed},
      {"X-Matrix origin=\"unterminated", XMatrixError::malformed},
      {"X-Matrix origin=\"a\\", XMatrixError::malformed},
      {"X-Matrix origin=a key=b", XMatrixError::malformed},
      {"X-Matrix =a", XMatrixError::malformed},
      {"X-Matrix origin=a,key=k,sig=ab/c", XMatrixError::malformed},
      {"X-Matrix origin=\"a\"b,key=k,sig=s", XMatrixError::malformed},
      {"X-Matrix origin=\"a\x01\",key=k,sig=s", XMatrixError::malformed},
      {"X-Matrix origin=a,origin=b,key=k,sig=s", XMatrixError::duplicate_param},
      {"X-Matrix key=k,sig=s", XMatrixError::missing_origin},
      {"X-Matrix origin=\"\",key=k,sig=s", XMatrixError::missing_origin},
      {"X-Matrix origin=a,sig=s", XMatrixError::missing_key},
      {"X-Matrix origin=a,key=k", XMatrixError::missing_signature},
  };
  for (const auto& [text, expected] : cases) {
    auto r = parse_x_matrix(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error(), expected) << text;
    EXPECT_FALSE(to_string(r.error()).empty());
  }
}

}  // namespace
}  // namespace ranvier::federation
