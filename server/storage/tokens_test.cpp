#include "storage/tokens.hpp"

#include "storage/sql/stores.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ranvier::storage {
namespace {

TEST(AccessToken, GeneratedTokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = generate_access_token();
    ASSERT_EQ(token.size(), 4u + 43u) << token;
    EXPECT_TRUE(token.starts_with("rvt_"));
    EXPECT_EQ(token.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
              std::string::npos)
        << token;
    EXPECT_TRUE(seen.insert(token).second);
  }
}

TEST(AccessToken, DigestIsHexSha256) {
  // FIPS 180-2 test vector for "abc".
  EXPECT_EQ(sql::token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace ranvier::storage
