#include "media/http_url.hpp"

#include "media/text.hpp"

#include <algorithm>
#include <charconv>

#include <arpa/inet.h>

namespace ranvier::media {

std::string HttpUrl::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    out += ":" + std::to_string(port);
  }
  return out;
}

std::optional<HttpUrl> parse_http_url(std::string_view url) {
  HttpUrl out;
  const auto lowered = ascii_lower(url.substr(0, 8));
  if (lowered.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (lowered.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) {
      return std::nullopt;
    }
  }
  url = url.substr(0, url.find('#'));
  const auto path_start = std::min(url.find_first_of("/?"), url.size());
  auto authority = url.substr(0, path_start);
  out.target = std::string(url.substr(path_start));
  if (out.target.empty() || out.target.front() == '?') {
    out.target.insert(out.target.begin(), '/');
  }
  if (authority.find('@') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    out.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || after.size() == 1)) {
      return std::nullopt;
    }
    port_text = after.empty() ? after : after.substr(1);
    unsigned char buffer[16];
    if (::inet_pton(AF_INET6, out.host.c_str(), buffer) != 1) {
      return std::nullopt;
    }
    out.ip_literal = true;
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) {
        return std::nullopt;
      }
    }
    unsigned char buffer[4];
    out.ip_literal = ::inet_pton(AF_INET, out.host.c_str(), buffer) == 1;
  }
  out.host = ascii_lower(out.host);
  if (out.host.empty()) {
    return std::nullopt;
  }
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace ranvier::media
