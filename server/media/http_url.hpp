#pragma once
// Absolute http(s) URLs taken apart for the URL preview fetcher. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::media {

struct HttpUrl {
  bool tls = false;
  std::string host;    ///< lower-case name or IP literal (IPv6 without brackets)
  std::uint16_t port = 0;
  std::string target;  ///< path and query, "/" at least; no fragment
  bool ip_literal = false;

  /// The Host header: the host (bracketed for IPv6) with the port when not the default.
  std::string host_header() const;
};

/// Parses `http://host[:port]/path?query#fragment`; nullopt for other schemes, user info,
/// bad ports, empty hosts, spaces or control characters.
std::optional<HttpUrl> parse_http_url(std::string_view url);

}  // namespace ranvier::media
