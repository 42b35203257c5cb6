#include "media/opengraph.hpp"

#include "media/text.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ranvier::media {
namespace {

constexpr std::size_t max_value_bytes = 2048;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Finds `needle` (lower case) in `hay` ignoring case, from `from`.
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty() || hay.size() < needle.size()) {
    return std::string_view::npos;
  }
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    bool match = true;
    for (std::size_t j = 0; j < needle.size(); ++j) {
      if (ascii_lower(hay[i + j]) != needle[j]) {
        match = false;
        break;
      }
    }
    if (match) {
      return i;
    }
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    cp = 0xFFFD;
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the common named and all numeric character references; collapses white space.
std::string decode_text(std::string_view s) {
  static constexpr std::pair<std::string_view, char> named[] = {
      {"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", ' '}};
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < s.size() && out.size() < max_value_bytes; ++i) {
    const char c = s[i];
    if (is_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out.push_back(' ');
      space = false;
    }
    if (c != '&') {
      out.push_back(c);
      continue;
    }
    const auto rest = s.substr(i + 1);
    bool decoded = false;
    for (const auto& [name, value] : named) {
      if (rest.starts_with(name)) {
        out.push_back(value);
        i += name.size();
        decoded = true;
        break;
      }
    }
    if (!decoded && rest.starts_with("#")) {
      const bool hex = rest.size() > 1 && (rest[1] == 'x' || rest[1] == 'X');
      std::size_t j = hex ? 2 : 1;
      std::uint32_t cp = 0;
      std::size_t digits = 0;
      for (; j < rest.size() && digits < 8; ++j, ++digits) {
        const char d = ascii_lower(rest[j]);
        if (d >= '0' && d <= '9') {
          cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d - '0');
        } else if (hex && d >= 'a' && d <= 'f') {
          cp = cp * 16 + static_cast<std::uint32_t>(d - 'a' + 10);
        } else {
          break;
        }
      }
      if (digits > 0 && j < rest.size() && rest[j] == ';') {
        append_utf8(out, cp);
        i += j + 1;
        decoded = true;
      }
    }
    if (!decoded) {
      out.push_back('&');
    }
  }
  return out;
}

// The attributes of the tag starting after its name, up to '>'; returns where it ended.
std::size_t read_attributes(std::string_view html, std::size_t pos,
                            std::vector<std::pair<std::string, std::string>>& attrs) {
  while (pos < html.size()) {
    while (pos < html.size() && (is_space(html[pos]) || html[pos] == '/')) {
      ++pos;
    }
    if (pos >= html.size() || html[pos] == '>') {
      return pos;
    }
    const auto name_start = pos;
    while (pos < html.size() && !is_space(html[pos]) && html[pos] != '=' && html[pos] != '>') {
      ++pos;
    }
    std::string name = ascii_lower(html.substr(name_start, pos - name_start));
    while (pos < html.size() && is_space(html[pos])) {
      ++pos;
    }
    std::string value;
    if (pos < html.size() && html[pos] == '=') {
      ++pos;
      while (pos < html.size() && is_space(html[pos])) {
        ++pos;
      }
      if (pos < html.size() && (html[pos] == '"' || html[pos] == '\'')) {
        const char quote = html[pos++];
        const auto end = html.find(quote, pos);
        const auto stop = end == std::string_view::npos ? html.size() : end;
        value = decode_text(html.substr(pos, stop - pos));
        pos = stop == html.size() ? stop : stop + 1;
      } else {
        const auto value_start = pos;
        while (pos < html.size() && !is_space(html[pos]) && html[pos] != '>') {
          ++pos;
        }
        value = decode_text(html.substr(value_start, pos - value_start));
      }
    }
    if (name.empty()) {
      ++pos;  // a stray character such as '=': skip it so the loop always advances
      continue;
    }
    attrs.emplace_back(std::move(name), std::move(value));
  }
  return pos;
}

std::string_view attribute(const std::vector<std::pair<std::string, std::string>>& attrs, std::string_view name) {
  for (const auto& [k, v] : attrs) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

}  // namespace

nlohmann::json parse_opengraph(std::string_view html) {
  auto og = nlohmann::json::object();
  std::string description;
  for (auto pos = ifind(html, "<meta", 0); pos != std::string_view::npos; pos = ifind(html, "<meta", pos)) {
    pos += 5;
    if (pos < html.size() && !is_space(html[pos]) && html[pos] != '/' && html[pos] != '>') {
      continue;  // <metadata> or similar
    }
    std::vector<std::pair<std::string, std::string>> attrs;
    pos = read_attributes(html, pos, attrs);
    const auto content = attribute(attrs, "content");
    const auto property = ascii_lower(attribute(attrs, "property"));
    const auto name = ascii_lower(attribute(attrs, "name"));
    const auto& key = property.starts_with("og:") ? property : name;
    if (key.starts_with("og:") && key.size() > 3 && !og.contains(key)) {
      og[key] = std::string(content);
    } else if (name == "description" && description.empty()) {
      description = std::string(content);
    }
  }
  if (!og.contains("og:title")) {
    const auto open = ifind(html, "<title", 0);
    const auto gt = open == std::string_view::npos ? open : html.find('>', open);
    const auto close = gt == std::string_view::npos ? gt : ifind(html, "</title", gt);
    if (close != std::string_view::npos) {
      auto title = decode_text(html.substr(gt + 1, close - gt - 1));
      if (!title.empty()) {
        og["og:title"] = std::move(title);
      }
    }
  }
  if (!og.contains("og:description") && !description.empty()) {
    og["og:description"] = std::move(description);
  }
  // The JSON must be valid UTF-8 to be served; pages in other encodings lose odd bytes.
  for (auto& entry : og.items()) {
    const auto dumped = entry.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    entry.value() = nlohmann::json::parse(dumped);
  }
  return og;
}

std::string resolve_url(std::string_view base, std::string_view url) {
  const auto lower_url = ascii_lower(url.substr(0, 8));
  if (lower_url.starts_with("http://") || lower_url.starts_with("https://")) {
    return std::string(url);
  }
  const auto scheme_end = base.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  if (url.starts_with("//")) {
    return std::string(base.substr(0, scheme_end + 1)) + std::string(url);
  }
  const auto path_start = base.find('/', scheme_end + 3);
  const auto origin = base.substr(0, path_start);
  if (url.starts_with("/")) {
    return std::string(origin) + std::string(url);
  }
  if (path_start == std::string_view::npos) {
    return std::string(origin) + "/" + std::string(url);
  }
  auto path = base.substr(path_start);
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  return std::string(base.substr(0, path_start)) + std::string(path.substr(0, path.rfind('/') + 1)) + std::string(url);
}

}  // namespace ranvier::media
