// Percent-encoding of IDs placed in URL paths, and its round trip through decoding.

#include "core/percent_encoding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ranvier::core {
namespace {

TEST(PercentEncoding, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("!room:example.org"), "%21room%3Aexample.org");
  EXPECT_EQ(percent_encode("@al/ice:x"), "%40al%2Fice%3Ax");
  EXPECT_EQ(percent_encode("$abc+/="), "%24abc%2B%2F%3D");
  EXPECT_EQ(percent_encode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(percent_encode("é"), "%C3%A9");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(PercentEncoding, DecodingGivesBackTheInput) {
  const std::vector<std::string> texts{"!a:b", "$x/y+z", "@u:[::1]:8448", "sp ace", std::string("\0\xff", 2)};
  for (const auto& text : texts) {
    EXPECT_EQ(percent_decode(percent_encode(text)), text);
  }
}

}  // namespace
}  // namespace ranvier::core
