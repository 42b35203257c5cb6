#pragma once
// Absolute http(s) URLs taken apart for an outbound request: the URL preview fetcher and
// `ranvier doctor` (redirects, m.homeserver.base_url). Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::core {

/// An http(s) URL split the way an HTTP client sends it.
struct HttpUrl {
  bool tls = true;
  std::string host;     ///< lower-case name or IP literal (IPv6 without brackets)
  std::uint16_t port = 443;
  std::string target;   ///< path and query, "/" at least; no fragment
  bool ip_literal = false;

  /// The Host header: the host (bracketed for IPv6) with the port when not the scheme's default.
  std::string host_header() const;

  bool operator==(const HttpUrl&) const = default;
};

/// Parses `http[s]://host[:port][/path][?query][#fragment]` (scheme in any case). The host
/// follows the server-name grammar (DNS name, IPv4, bracketed IPv6); nullopt for other schemes,
/// user info, port 0 or above 65535, empty hosts, spaces or control characters anywhere.
std::optional<HttpUrl> parse_http_url(std::string_view url);

}  // namespace ranvier::core
