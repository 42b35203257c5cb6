#include "core/http_url.hpp"

#include "core/identifiers.hpp"

#include <algorithm>

#include <arpa/inet.h>

namespace ranvier::core {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool starts_with_lower(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char p, char t) { return p == ascii_lower(t); });
}

}  // namespace

std::string HttpUrl::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    out += ":" + std::to_string(port);
  }
  return out;
}

std::optional<HttpUrl> parse_http_url(std::string_view url) {
  HttpUrl out;
  if (starts_with_lower(url, "https://")) {
    url.remove_prefix(8);
  } else if (starts_with_lower(url, "http://")) {
    url.remove_prefix(7);
    out.tls = false;
    out.port = 80;
  } else {
    return std::nullopt;
  }
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    return std::nullopt;
  }
  url = url.substr(0, url.find('#'));
  const auto path_start = std::min(url.find_first_of("/?"), url.size());
  // User info ("user@host") is refused by the server-name grammar along with other stray
  // characters.
  const auto name = parse_server_name(url.substr(0, path_start));
  if (!name || name->port == 0) {
    return std::nullopt;
  }
  const bool v6 = name->host.front() == '[';
  out.host = v6 ? name->host.substr(1, name->host.size() - 2) : name->host;
  unsigned char v4[4];
  out.ip_literal = v6 || ::inet_pton(AF_INET, out.host.c_str(), v4) == 1;
  std::transform(out.host.begin(), out.host.end(), out.host.begin(), ascii_lower);
  out.port = name->port.value_or(out.port);
  out.target = std::string(url.substr(path_start));
  if (out.target.empty() || out.target.front() == '?') {
    out.target.insert(out.target.begin(), '/');
  }
  return out;
}

}  // namespace ranvier::core
