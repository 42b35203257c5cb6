#include "core/canonical_json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/test_support.hpp"

namespace ranvier::core {
namespace {

using nlohmann::json;

TEST(CanonicalJson, SpecVectors) {
  const auto& vectors = testing::spec_vectors().at("canonical_json");
  ASSERT_EQ(vectors.size(), 10u);
  for (const auto& v : vectors) {
    const auto input = v.at("input_text").get<std::string>();
    const auto expected = v.at("expected_text").get<std::string>();
    // `-0` and `1e10` only parse under the lenient number policy; the output is canonical.
    auto parsed = parse_json_strict(input, NumberPolicy::lenient);
    ASSERT_TRUE(parsed) << v.at("id");
    EXPECT_EQ(canonical_json(*parsed), expected) << v.at("id");
    auto reparsed = parse_json_strict(expected, NumberPolicy::canonical);
    ASSERT_TRUE(reparsed) << v.at("id");
    EXPECT_EQ(canonical_json(*reparsed), expected) << v.at("id");
  }
}

TEST(CanonicalJson, Escapes) {
  EXPECT_EQ(canonical_json("a\"b\\c/\b\f\n\r\t\x01\x1f\x7f"),
            R"("a\"b\\c/\b\f\n\r\t\u0001\u001f)" "\x7f\"");
  EXPECT_EQ(canonical_json(*parse_json_strict(R"("\u00e9\/\uD83D\uDE00")")),
            "\"\xC3\xA9/\xF0\x9F\x98\x80\"");
}

TEST(CanonicalJson, EscapesAtEveryPositionOfLongStrings) {
  // The encoder and parser skip plain text eight bytes at a time; escapes and multi-byte
  // characters must be found wherever they fall.
  for (const char* special : {"\"", "\\", "\n", "\x01", "\x1f", "\xC3\xA9", "\x7f"}) {
    for (std::size_t pos = 0; pos < 24; ++pos) {
      std::string s(24, 'x');
      s.insert(pos, special);
      const json v = s;
      const std::string encoded = canonical_json(v);
      EXPECT_EQ(encoded, v.dump()) << pos;
      auto back = parse_json_strict(encoded);
      ASSERT_TRUE(back) << pos;
      EXPECT_EQ(back->get<std::string>(), s) << pos;
    }
  }
}

TEST(CanonicalJson, Numbers) {
  EXPECT_EQ(canonical_json(json(-0.0)), "0");
  EXPECT_EQ(canonical_json(json(1e10)), "10000000000");
  EXPECT_EQ(canonical_json(json(9007199254740991)), "9007199254740991");
  EXPECT_EQ(canonical_json(json(-9007199254740991)), "-9007199254740991");
  EXPECT_EQ(canonical_json(json(1.5)), "1.5");
}

TEST(ParseStrict, RejectsWithTypedErrors) {
  const std::pair<std::string, JsonErrorCode> cases[] = {
      {R"({"a":1,"a":2})", JsonErrorCode::duplicate_key},
      {"\"\xFF\"", JsonErrorCode::invalid_utf8},
      {"\"\xED\xA0\x80\"", JsonErrorCode::invalid_utf8},  // raw surrogate
      {"\"\xC0\xAF\"", JsonErrorCode::invalid_utf8},      // overlong
      {R"("\uD800")", JsonErrorCode::lone_surrogate},
      {R"("\uDC00\uD800")", JsonErrorCode::lone_surrogate},
      {R"("\uD800\u0041")", JsonErrorCode::lone_surrogate},
      {R"("\x")", JsonErrorCode::invalid_escape},
      {R"("\u12G4")", JsonErrorCode::invalid_escape},
      {"\"a\nb\"", JsonErrorCode::control_character},
      {"1.5", JsonErrorCode::float_not_allowed},
      {"1e10", JsonErrorCode::float_not_allowed},
      {"9007199254740992", JsonErrorCode::integer_out_of_range},
      {"-9007199254740992", JsonErrorCode::integer_out_of_range},
      {"123456789012345678901234567890", JsonErrorCode::integer_out_of_range},
      {"01", JsonErrorCode::syntax},
      {"[1,]", JsonErrorCode::syntax},
      {"{\"a\" 1}", JsonErrorCode::syntax},
      {"NaN", JsonErrorCode::syntax},
      {"\xEF\xBB\xBF{}", JsonErrorCode::syntax},
      {"{} x", JsonErrorCode::syntax},
      {"", JsonErrorCode::unexpected_end},
      {"{\"a\":", JsonErrorCode::unexpected_end},
      {"[tru", JsonErrorCode::unexpected_end},
      {"-", JsonErrorCode::unexpected_end},
      {"\"abc", JsonErrorCode::unexpected_end},
      {std::string(300, '[') + std::string(300, ']'), JsonErrorCode::too_deep},
  };
  for (const auto& [text, code] : cases) {
    auto r = parse_json_strict(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, code) << text << " got " << to_string(r.error().code);
  }
  EXPECT_EQ(parse_json_strict("[1, 2,  1.5]").error().offset, 8u);
}

TEST(ParseStrict, LenientNumbers) {
  auto big = parse_json_strict("[9007199254740992, -9223372036854775808, 18446744073709551615, "
                               "1e300, 2.5, -0]",
                               NumberPolicy::lenient);
  ASSERT_TRUE(big);
  EXPECT_EQ((*big)[0].get<std::int64_t>(), 9007199254740992);
  EXPECT_EQ((*big)[1].get<std::int64_t>(), INT64_MIN);
  EXPECT_EQ((*big)[2].get<std::uint64_t>(), UINT64_MAX);
  EXPECT_TRUE((*big)[3].is_number_float());
  EXPECT_EQ((*big)[4].get<double>(), 2.5);
  EXPECT_TRUE((*big)[5].is_number_integer());
  EXPECT_EQ(parse_json_strict("1e400", NumberPolicy::lenient).error().code,
            JsonErrorCode::number_out_of_range);
  EXPECT_TRUE(parse_json_strict("-0"));
  EXPECT_TRUE(parse_json_strict("\"\\u0000\""));
}

TEST(CheckCanonical, FlagsValuesBuiltInCode) {
  EXPECT_FALSE(check_canonical(json{{"a", 1}, {"b", {1, 2, "x"}}}));
  EXPECT_EQ(check_canonical(json{{"a", 1.5}})->code, JsonErrorCode::float_not_allowed);
  EXPECT_FALSE(check_canonical(json{{"a", 1.5}}, NumberPolicy::lenient));
  EXPECT_EQ(check_canonical(json{{"a", std::int64_t{1} << 53}})->code,
            JsonErrorCode::integer_out_of_range);
  EXPECT_EQ(check_canonical(json{{"a", std::uint64_t{1} << 60}})->code,
            JsonErrorCode::integer_out_of_range);
  EXPECT_EQ(check_canonical(json{{"\xFF", 1}})->code, JsonErrorCode::invalid_utf8);
}

// Writes `v` the way a careless peer might: shuffled keys, random whitespace, escaped slashes,
// and \u escapes for some characters.
void write_noisy(const json& v, std::mt19937& rng, std::string& out) {
  auto ws = [&] {
    static const char* spaces[] = {"", " ", "\n", "\t ", "\r\n  "};
    out += spaces[rng() % 5];
  };
  ws();
  if (v.is_object()) {
    std::vector<std::pair<std::string, const json*>> items;
    for (const auto& [k, item] : v.items()) {
      items.emplace_back(k, &item);
    }
    std::shuffle(items.begin(), items.end(), rng);
    out += '{';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      write_noisy(json(items[i].first), rng, out);
      ws();
      out += ':';
      write_noisy(*items[i].second, rng, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      write_noisy(v[i], rng, out);
    }
    out += ']';
  } else if (v.is_string()) {
    out += '"';
    for (unsigned char c : v.get<std::string>()) {
      if (c == '/' && rng() % 2 == 0) {
        out += "\\/";
      } else if ((c < 0x20 || c == 'a') && rng() % 2 == 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04X", c);
        out += buf;
      } else if (c == '"' || c == '\\' || c < 0x20) {
        const auto escaped = canonical_json(json(std::string(1, static_cast<char>(c))));
        out += escaped.substr(1, escaped.size() - 2);
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '"';
  } else {
    out += canonical_json(v);
  }
  ws();
}

TEST(CanonicalJsonProperty, MatchesReferenceEncodingAndIsIdempotent) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 2000; ++i) {
    const json v = testing::random_json(rng);
    const std::string canon = canonical_json(v);
    // nlohmann's compact dump of a sorted map is canonical for values without floats.
    ASSERT_EQ(canon, v.dump());
    auto parsed = parse_json_strict(canon);
    ASSERT_TRUE(parsed) << canon;
    EXPECT_EQ(*parsed, v);
    EXPECT_EQ(canonical_json(*parsed), canon);
  }
}

TEST(CanonicalJsonProperty, IndependentOfKeyOrderAndWhitespace) {
  std::mt19937 rng(99);
  for (int i = 0; i < 2000; ++i) {
    const json v = testing::random_json(rng);
    std::string noisy;
    write_noisy(v, rng, noisy);
    auto parsed = parse_json_strict(noisy);
    ASSERT_TRUE(parsed) << noisy << " " << to_string(parsed.error().code) << " at "
                        << parsed.error().offset;
    EXPECT_EQ(canonical_json(*parsed), canonical_json(v)) << noisy;
  }
}

}  // namespace
}  // namespace ranvier::core
