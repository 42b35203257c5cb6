// The strict JSON parser declared in canonical_json.hpp: a recursive-descent reader that builds
// nlohmann::json directly and reports the first problem as a typed error instead of throwing.
#include <charconv>
#include <cmath>

#include "core/canonical_json.hpp"
#include "core/json_bytes.hpp"
#include "core/utf8.hpp"

namespace ranvier::core {
namespace {

using json = nlohmann::json;

using json_bytes::needs_escape;

class Parser {
 public:
  Parser(std::string_view text, NumberPolicy numbers) : s_(text), numbers_(numbers) {}

  Expected<json, JsonError> run() {
    json root;
    skip_ws();
    if (!parse_value(root, 0)) {
      return fail(error_);
    }
    skip_ws();
    if (pos_ != s_.size()) {
      return fail(JsonError{JsonErrorCode::syntax, pos_});
    }
    return root;
  }

 private:
  bool set_error(JsonErrorCode code) {
    error_ = JsonError{code, pos_};
    return false;
  }

  void skip_ws() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) {
      return set_error(pos_ + word.size() > s_.size() && word.starts_with(s_.substr(pos_))
                           ? JsonErrorCode::unexpected_end
                           : JsonErrorCode::syntax);
    }
    pos_ += word.size();
    return true;
  }

  bool parse_value(json& out, std::size_t depth) {
    if (pos_ >= s_.size()) {
      return set_error(JsonErrorCode::unexpected_end);
    }
    switch (s_[pos_]) {
      case '{':
        return parse_object(out, depth + 1);
      case '[':
        return parse_array(out, depth + 1);
      case '"': {
        std::string str;
        if (!parse_string(str)) {
          return false;
        }
        out = std::move(str);
        return true;
      }
      case 't':
        out = true;
        return literal("true");
      case 'f':
        out = false;
        return literal("false");
      case 'n':
        out = nullptr;
        return literal("null");
      default:
        return parse_number(out);
    }
  }

  enum class Next { more, closed, error };

  // After an array item or object member: a comma (more follows) or the closing bracket.
  Next after_item(char close) {
    skip_ws();
    if (pos_ >= s_.size()) {
      set_error(JsonErrorCode::unexpected_end);
      return Next::error;
    }
    if (s_[pos_] == ',') {
      ++pos_;
      skip_ws();
      return Next::more;
    }
    if (s_[pos_] == close) {
      ++pos_;
      return Next::closed;
    }
    set_error(JsonErrorCode::syntax);
    return Next::error;
  }

  bool parse_object(json& out, std::size_t depth) {
    if (depth > max_json_depth) {
      return set_error(JsonErrorCode::too_deep);
    }
    ++pos_;
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      if (pos_ >= s_.size()) {
        return set_error(JsonErrorCode::unexpected_end);
      }
      if (s_[pos_] != '"') {
        return set_error(JsonErrorCode::syntax);
      }
      const std::size_t key_pos = pos_;
      std::string key;
      if (!parse_string(key)) {
        return false;
      }
      skip_ws();
      if (pos_ >= s_.size()) {
        return set_error(JsonErrorCode::unexpected_end);
      }
      if (s_[pos_] != ':') {
        return set_error(JsonErrorCode::syntax);
      }
      ++pos_;
      skip_ws();
      auto [it, inserted] = members.try_emplace(std::move(key));
      if (!inserted) {
        error_ = JsonError{JsonErrorCode::duplicate_key, key_pos};
        return false;
      }
      if (!parse_value(it->second, depth)) {
        return false;
      }
      const Next next = after_item('}');
      if (next != Next::more) {
        return next == Next::closed;
      }
    }
  }

  bool parse_array(json& out, std::size_t depth) {
    if (depth > max_json_depth) {
      return set_error(JsonErrorCode::too_deep);
    }
    ++pos_;
    out = json::array();
    auto& items = out.get_ref<json::array_t&>();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      items.emplace_back();
      if (!parse_value(items.back(), depth)) {
        return false;
      }
      const Next next = after_item(']');
      if (next != Next::more) {
        return next == Next::closed;
      }
    }
  }

  bool parse_hex4(std::uint32_t& value) {
    if (pos_ + 4 > s_.size()) {
      return set_error(JsonErrorCode::unexpected_end);
    }
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        --pos_;
        return set_error(JsonErrorCode::invalid_escape);
      }
    }
    return true;
  }

  static void append_utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool parse_escape(std::string& out) {
    // pos_ is just past the backslash.
    if (pos_ >= s_.size()) {
      return set_error(JsonErrorCode::unexpected_end);
    }
    const char c = s_[pos_++];
    switch (c) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default:
        --pos_;
        return set_error(JsonErrorCode::invalid_escape);
    }
    std::uint32_t cp = 0;
    if (!parse_hex4(cp)) {
      return false;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return set_error(JsonErrorCode::lone_surrogate);
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') {
        return set_error(JsonErrorCode::lone_surrogate);
      }
      pos_ += 2;
      std::uint32_t low = 0;
      if (!parse_hex4(low)) {
        return false;
      }
      if (low < 0xDC00 || low > 0xDFFF) {
        return set_error(JsonErrorCode::lone_surrogate);
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(cp, out);
    return true;
  }

  bool parse_string(std::string& out) {
    ++pos_;  // opening quote
    while (true) {
      // Copy the longest run of plain ASCII in one go.
      const std::size_t run_start = pos_;
      while (pos_ + 8 <= s_.size()) {
        const auto w = json_bytes::load8(s_.data() + pos_);
        if (json_bytes::may_need_escape(w) || json_bytes::has_non_ascii(w)) {
          break;
        }
        pos_ += 8;
      }
      while (pos_ < s_.size()) {
        const auto c = static_cast<unsigned char>(s_[pos_]);
        if (c >= 0x80 || needs_escape(c)) {
          break;
        }
        ++pos_;
      }
      out.append(s_.data() + run_start, pos_ - run_start);
      if (pos_ >= s_.size()) {
        return set_error(JsonErrorCode::unexpected_end);
      }
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        ++pos_;
        if (!parse_escape(out)) {
          return false;
        }
        continue;
      }
      if (c < 0x20) {
        return set_error(JsonErrorCode::control_character);
      }
      const std::size_t n = utf8_sequence_length(s_, pos_);
      if (n == 0) {
        return set_error(JsonErrorCode::invalid_utf8);
      }
      out.append(s_.data() + pos_, n);
      pos_ += n;
    }
  }

  bool parse_number(json& out) {
    const std::size_t start = pos_;
    bool negative = false;
    if (s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    const std::size_t int_start = pos_;
    if (pos_ >= s_.size()) {
      return set_error(JsonErrorCode::unexpected_end);
    }
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        ++pos_;
      }
    } else {
      return set_error(JsonErrorCode::syntax);
    }
    const std::size_t int_end = pos_;
    bool is_float = false;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      is_float = true;
      ++pos_;
      if (!digits()) {
        return false;
      }
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      is_float = true;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) {
        ++pos_;
      }
      if (!digits()) {
        return false;
      }
    }
    if (is_float && numbers_ == NumberPolicy::canonical) {
      error_ = JsonError{JsonErrorCode::float_not_allowed, start};
      return false;
    }
    if (!is_float) {
      const std::size_t ndigits = int_end - int_start;
      std::uint64_t magnitude = 0;
      const bool fits_u64 =
          ndigits <= 20 &&
          std::from_chars(s_.data() + int_start, s_.data() + int_end, magnitude).ec == std::errc{};
      const bool canonical_range =
          fits_u64 && magnitude <= static_cast<std::uint64_t>(max_canonical_int);
      if (canonical_range) {
        const auto m = static_cast<std::int64_t>(magnitude);
        out = negative ? -m : m;
        return true;
      }
      if (numbers_ == NumberPolicy::canonical) {
        error_ = JsonError{JsonErrorCode::integer_out_of_range, start};
        return false;
      }
      if (fits_u64) {
        if (!negative) {
          out = magnitude;
          return true;
        }
        if (magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
          out = static_cast<std::int64_t>(0 - magnitude);
          return true;
        }
      }
    }
    // Lenient floats (and integers too large for 64 bits) go through double.
    double value = 0;
    const auto res = std::from_chars(s_.data() + start, s_.data() + pos_, value);
    if (res.ec != std::errc{} || !std::isfinite(value)) {
      error_ = JsonError{JsonErrorCode::number_out_of_range, start};
      return false;
    }
    if (value == std::trunc(value) && std::fabs(value) <= static_cast<double>(max_canonical_int)) {
      out = static_cast<std::int64_t>(value);
    } else {
      out = value;
    }
    return true;
  }

  bool digits() {
    const std::size_t begin = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      ++pos_;
    }
    if (pos_ == begin) {
      return set_error(pos_ >= s_.size() ? JsonErrorCode::unexpected_end : JsonErrorCode::syntax);
    }
    return true;
  }

  std::string_view s_;
  NumberPolicy numbers_;
  std::size_t pos_ = 0;
  JsonError error_{JsonErrorCode::syntax, 0};
};

}  // namespace

std::string_view to_string(JsonErrorCode code) {
  switch (code) {
    case JsonErrorCode::syntax: return "syntax error";
    case JsonErrorCode::unexpected_end: return "unexpected end of input";
    case JsonErrorCode::invalid_utf8: return "invalid UTF-8";
    case JsonErrorCode::invalid_escape: return "invalid escape sequence";
    case JsonErrorCode::lone_surrogate: return "lone UTF-16 surrogate";
    case JsonErrorCode::control_character: return "unescaped control character in string";
    case JsonErrorCode::duplicate_key: return "duplicate object key";
    case JsonErrorCode::too_deep: return "nesting too deep";
    case JsonErrorCode::float_not_allowed: return "floats are not allowed";
    case JsonErrorCode::integer_out_of_range: return "integer outside ±(2^53-1)";
    case JsonErrorCode::number_out_of_range: return "number out of range";
  }
  return "unknown JSON error";
}

Expected<nlohmann::json, JsonError> parse_json_strict(std::string_view text, NumberPolicy numbers) {
  return Parser(text, numbers).run();
}

}  // namespace ranvier::core
