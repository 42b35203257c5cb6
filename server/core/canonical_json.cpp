#include "core/canonical_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/json_bytes.hpp"
#include "core/utf8.hpp"

namespace ranvier::core {
namespace {

using json = nlohmann::json;

constexpr char hex_digits[] = "0123456789abcdef";

using json_bytes::needs_escape;

void append_int(std::int64_t v, std::string& out) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_uint(std::uint64_t v, std::string& out) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_float(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  // Integral floats (e.g. `1e10`, `-0`) have an exact integer spelling, which is canonical.
  if (v == std::trunc(v) && std::fabs(v) < 9.2e18) {
    append_int(static_cast<std::int64_t>(v), out);
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_value(const json& v, std::string& out) {
  switch (v.type()) {
    case json::value_t::null:
      out += "null";
      return;
    case json::value_t::boolean:
      out += v.get_ref<const json::boolean_t&>() ? "true" : "false";
      return;
    case json::value_t::number_integer:
      append_int(v.get_ref<const json::number_integer_t&>(), out);
      return;
    case json::value_t::number_unsigned:
      append_uint(v.get_ref<const json::number_unsigned_t&>(), out);
      return;
    case json::value_t::number_float:
      append_float(v.get_ref<const json::number_float_t&>(), out);
      return;
    case json::value_t::string:
      append_json_string(v.get_ref<const json::string_t&>(), out);
      return;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_ref<const json::array_t&>()) {
        if (!first) {
          out += ',';
        }
        first = false;
        append_value(item, out);
      }
      out += ']';
      return;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_ref<const json::object_t&>()) {
        append_json_key(key, first, out);
        append_value(item, out);
      }
      out += '}';
      return;
    }
    case json::value_t::binary:
    case json::value_t::discarded:
      // Never produced by a JSON parser; treated as null rather than aborting.
      out += "null";
      return;
  }
}

std::optional<JsonError> check_value(const json& v, NumberPolicy numbers, std::size_t depth) {
  if (depth > max_json_depth) {
    return JsonError{JsonErrorCode::too_deep};
  }
  switch (v.type()) {
    case json::value_t::number_integer: {
      const auto i = v.get_ref<const json::number_integer_t&>();
      if (numbers == NumberPolicy::canonical && (i > max_canonical_int || i < -max_canonical_int)) {
        return JsonError{JsonErrorCode::integer_out_of_range};
      }
      return std::nullopt;
    }
    case json::value_t::number_unsigned:
      if (numbers == NumberPolicy::canonical &&
          v.get_ref<const json::number_unsigned_t&>() >
              static_cast<std::uint64_t>(max_canonical_int)) {
        return JsonError{JsonErrorCode::integer_out_of_range};
      }
      return std::nullopt;
    case json::value_t::number_float:
      if (numbers == NumberPolicy::canonical) {
        return JsonError{JsonErrorCode::float_not_allowed};
      }
      if (!std::isfinite(v.get_ref<const json::number_float_t&>())) {
        return JsonError{JsonErrorCode::number_out_of_range};
      }
      return std::nullopt;
    case json::value_t::string:
      if (!is_valid_utf8(v.get_ref<const json::string_t&>())) {
        return JsonError{JsonErrorCode::invalid_utf8};
      }
      return std::nullopt;
    case json::value_t::array:
      for (const auto& item : v.get_ref<const json::array_t&>()) {
        if (auto e = check_value(item, numbers, depth + 1)) {
          return e;
        }
      }
      return std::nullopt;
    case json::value_t::object:
      for (const auto& [key, item] : v.get_ref<const json::object_t&>()) {
        if (!is_valid_utf8(key)) {
          return JsonError{JsonErrorCode::invalid_utf8};
        }
        if (auto e = check_value(item, numbers, depth + 1)) {
          return e;
        }
      }
      return std::nullopt;
    case json::value_t::binary:
    case json::value_t::discarded:
      return JsonError{JsonErrorCode::syntax};
    default:
      return std::nullopt;
  }
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  out += '"';
  std::size_t run_start = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size() && !json_bytes::may_need_escape(json_bytes::load8(s.data() + i))) {
      i += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i++]);
    if (!needs_escape(c)) {
      continue;
    }
    out.append(s.data() + run_start, i - 1 - run_start);
    run_start = i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out += '"';
}

void append_json_key(std::string_view key, bool& first, std::string& out) {
  if (!first) {
    out += ',';
  }
  first = false;
  append_json_string(key, out);
  out += ':';
}

void canonical_json_append(const nlohmann::json& value, std::string& out) { append_value(value, out); }

void canonical_json_append_without(const nlohmann::json& object,
                                   std::initializer_list<std::string_view> skip, std::string& out) {
  if (!object.is_object()) {
    append_value(object, out);
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [key, value] : object.get_ref<const json::object_t&>()) {
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) {
      continue;
    }
    append_json_key(key, first, out);
    append_value(value, out);
  }
  out += '}';
}

std::string canonical_json(const nlohmann::json& value) {
  std::string out;
  out.reserve(1024);  // a typical PDU fits without regrowing
  append_value(value, out);
  return out;
}

std::optional<JsonError> check_canonical(const nlohmann::json& value, NumberPolicy numbers) {
  return check_value(value, numbers, 0);
}

}  // namespace ranvier::core
