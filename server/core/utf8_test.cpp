#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ranvier::core {
namespace {

TEST(Utf8, AcceptsWellFormedBoundaries) {
  for (const std::string& s : {std::string(""), std::string("plain"), std::string("\x7f"),
                              std::string("\xC2\x80"), std::string("\xDF\xBF"),
                              std::string("\xE0\xA0\x80"), std::string("\xED\x9F\xBF"),
                              std::string("\xEE\x80\x80"), std::string("\xEF\xBF\xBF"),
                              std::string("\xF0\x90\x80\x80"), std::string("\xF4\x8F\xBF\xBF"),
                              std::string("a\0b", 3)}) {
    EXPECT_TRUE(is_valid_utf8(s)) << s;
  }
}

TEST(Utf8, RejectsMalformed) {
  for (const char* s : {"\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xC2", "\xC2\x41",
                        "\xE0\x80\x80", "\xE0\x9F\xBF",  // overlong 3-byte
                        "\xED\xA0\x80", "\xED\xBF\xBF",  // surrogates
                        "\xE1\x80", "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF",  // overlong 4-byte
                        "\xF4\x90\x80\x80",                                 // above U+10FFFF
                        "\xF5\x80\x80\x80", "\xFF", "\xF0\x90\x80"}) {
    EXPECT_FALSE(is_valid_utf8(s)) << testing::PrintToString(s);
  }
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("a\xE6\x97\xA5", 1), 3u);
}

}  // namespace
}  // namespace ranvier::core
