#include "push/glob.hpp"
#include "push/property_path.hpp"

#include <gtest/gtest.h>

namespace ranvier::push {
namespace {

bool whole(std::string_view pattern, std::string_view value) {
  return Glob(pattern).matches(value, GlobScope::whole_value);
}

bool words(std::string_view pattern, std::string_view value) {
  return Glob(pattern).matches(value, GlobScope::word_boundary);
}

TEST(PushGlob, SpecTopicExample) {
  EXPECT_TRUE(whole("lunc?*", "Lunch plans"));
  EXPECT_TRUE(whole("lunc?*", "LUNCH"));
  EXPECT_FALSE(whole("lunc?*", " lunch"));
  EXPECT_FALSE(whole("lunc?*", "lunc"));
}

TEST(PushGlob, WholeValueLiteralIsCaseInsensitiveAndExact) {
  EXPECT_TRUE(whole("m.room.message", "m.room.message"));
  EXPECT_TRUE(whole("M.Room.Message", "m.room.MESSAGE"));
  EXPECT_FALSE(whole("m.room.message", "m.room.message.extra"));
  EXPECT_FALSE(whole("m.room.message", "m.room.messag"));
  EXPECT_TRUE(whole("", ""));
  EXPECT_FALSE(whole("", "x"));
}

TEST(PushGlob, StarsAndQuestionMarks) {
  EXPECT_TRUE(whole("*", ""));
  EXPECT_TRUE(whole("*", "anything"));
  EXPECT_TRUE(whole("a*b*c", "abc"));
  EXPECT_TRUE(whole("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(whole("a*b*c", "aXXbYY"));
  EXPECT_TRUE(whole("*ab", "aab"));
  EXPECT_TRUE(whole("**a", "a"));
  EXPECT_FALSE(whole("?", ""));
  EXPECT_TRUE(whole("??", "ab"));
  EXPECT_FALSE(whole("??", "abc"));
  // `?` is one character, not one byte.
  EXPECT_TRUE(whole("caf?", "caf\xC3\xA9"));
  EXPECT_FALSE(whole("caf??", "caf\xC3\xA9"));
  // Regex-like characters are literal.
  EXPECT_TRUE(whole("[a].+", "[a].+"));
  EXPECT_FALSE(whole("[a]", "a"));
}

TEST(PushGlob, SpecBodyExampleWordBoundaries) {
  EXPECT_TRUE(words("ex*ple", "An example event."));
  EXPECT_TRUE(words("ex*ple", "exple"));
  EXPECT_TRUE(words("ex*ple", "An exciting triple-whammy"));
  EXPECT_FALSE(words("ex*ple", "An examples event"));
  EXPECT_FALSE(words("cake", "pancakes"));
  EXPECT_TRUE(words("cake", "I like CAKE!"));
  EXPECT_TRUE(words("cake", "cake"));
  EXPECT_FALSE(words("cake", "cake_lover"));  // `_` is a word character
  EXPECT_TRUE(words("cake*lie", "the cake is a lie"));
  EXPECT_FALSE(words("cake*lie", "the cake is a lier"));
  EXPECT_TRUE(words("@room", "hey @room look"));
  EXPECT_FALSE(words("cake", ""));
}

TEST(PushGlob, ContainsWord) {
  EXPECT_TRUE(contains_word("hello Alice!", "alice"));
  EXPECT_TRUE(contains_word("Alice", "Alice"));
  EXPECT_FALSE(contains_word("Malice", "alice"));
  EXPECT_FALSE(contains_word("alice2", "alice"));
  EXPECT_TRUE(contains_word("hi Dr. Who, there", "Dr. Who"));
  EXPECT_FALSE(contains_word("anything", ""));
  // The display name is literal: glob characters in it are not wildcards.
  EXPECT_FALSE(contains_word("hello bob", "b*"));
  EXPECT_TRUE(contains_word("hello b*", "b*"));
}

TEST(PushPropertyPath, SplitsAndUnescapes) {
  EXPECT_EQ(parse_property_path("content.body"), (PropertyPath{"content", "body"}));
  EXPECT_EQ(parse_property_path("content.m\\.relates_to.rel_type"),
            (PropertyPath{"content", "m.relates_to", "rel_type"}));
  EXPECT_EQ(parse_property_path("a\\\\.b"), (PropertyPath{"a\\", "b"}));
  EXPECT_EQ(parse_property_path("a\\b"), (PropertyPath{"a\\b"}));
  EXPECT_EQ(parse_property_path("type"), (PropertyPath{"type"}));
  EXPECT_EQ(parse_property_path("a..b"), (PropertyPath{"a", "", "b"}));
}

TEST(PushPropertyPath, FindsNestedValues) {
  const auto event = nlohmann::json::parse(
      R"({"content": {"m.relates_to": {"rel_type": "m.replace"}, "m": {"relates_to": 1}}})");
  const auto* rel = find_property(event, parse_property_path("content.m\\.relates_to.rel_type"));
  ASSERT_NE(rel, nullptr);
  EXPECT_EQ(*rel, "m.replace");
  const auto* nested = find_property(event, parse_property_path("content.m.relates_to"));
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(*nested, 1);
  EXPECT_EQ(find_property(event, parse_property_path("content.missing")), nullptr);
  EXPECT_EQ(find_property(event, parse_property_path("content.m.relates_to.deeper")), nullptr);
}

}  // namespace
}  // namespace ranvier::push
