// The registration token rules the admin API and `ranvier registration-token` share.

#include "api/admin/registration_token_rules.hpp"

#include <gtest/gtest.h>

namespace ranvier::api::admin {
namespace {

TEST(RegistrationTokenRules, AcceptsTheSpecAlphabetUpTo64Characters) {
  EXPECT_TRUE(is_valid_registration_token("abc.DEF_123~-"));
  EXPECT_TRUE(is_valid_registration_token(std::string(64, 'a')));
  EXPECT_FALSE(is_valid_registration_token(""));
  EXPECT_FALSE(is_valid_registration_token(std::string(65, 'a')));
  for (const char* bad : {"a b", "a/b", "a+b", "é", "a%20"}) {
    EXPECT_FALSE(is_valid_registration_token(bad)) << bad;
  }
}

TEST(RegistrationTokenRules, RandomTokensHaveTheLengthAskedAndAreValid) {
  for (std::size_t length : {1U, 16U, 43U, 44U, 64U}) {
    const auto token = random_registration_token(length);
    EXPECT_EQ(token.size(), length);
    EXPECT_TRUE(is_valid_registration_token(token)) << token;
  }
  EXPECT_NE(random_registration_token(32), random_registration_token(32));
}

}  // namespace
}  // namespace ranvier::api::admin
