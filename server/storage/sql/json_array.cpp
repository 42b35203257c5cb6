#include "storage/sql/json_array.hpp"

#include <cstdio>

namespace ranvier::storage::sql {
namespace {

void append_string(std::string& out, std::string_view value) {
  out += '"';
  for (const char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

template <typename T, typename Append>
std::string join(std::span<const T> values, Append append) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    append(out, values[i]);
  }
  out += ']';
  return out;
}

}  // namespace

std::string json_array(std::span<const std::string> values) {
  return join(values,
              [](std::string& out, const std::string& value) { append_string(out, value); });
}

std::string json_array(std::span<const std::int64_t> values) {
  return join(values, [](std::string& out, std::int64_t value) { out += std::to_string(value); });
}

std::string json_array(std::span<const StateKey> keys) {
  return join(keys, [](std::string& out, const StateKey& key) {
    out += '[';
    append_string(out, key.type);
    out += ',';
    append_string(out, key.state_key);
    out += ']';
  });
}

std::string json_array(
    std::span<const std::pair<std::int64_t, std::optional<std::int64_t>>> pairs) {
  return join(pairs, [](std::string& out, const auto& pair) {
    out += '[' + std::to_string(pair.first) + ',' +
           (pair.second ? std::to_string(*pair.second) : std::string("null")) + ']';
  });
}

JsonRows& JsonRows::row() {
  if (row_open_) {
    text_ += ']';
  }
  text_ += rows_ == 0 ? "[" : ",[";
  ++rows_;
  row_open_ = true;
  row_empty_ = true;
  return *this;
}

void JsonRows::field() {
  if (!row_empty_) {
    text_ += ',';
  }
  row_empty_ = false;
}

JsonRows& JsonRows::add(std::string_view value) {
  field();
  append_string(text_, value);
  return *this;
}

JsonRows& JsonRows::add(const std::optional<std::string>& value) {
  if (!value) {
    field();
    text_ += "null";
    return *this;
  }
  return add(std::string_view(*value));
}

JsonRows& JsonRows::add(std::int64_t value) {
  field();
  text_ += std::to_string(value);
  return *this;
}

JsonRows& JsonRows::add(bool value) {
  field();
  text_ += value ? "true" : "false";
  return *this;
}

std::string JsonRows::take() {
  if (row_open_) {
    text_ += ']';
    row_open_ = false;
  }
  text_ += ']';
  return std::move(text_);
}

}  // namespace ranvier::storage::sql
