#pragma once
// How `ranvier doctor` reaches servers: the outbound HTTP client, with curl-style
// `--connect-to NAME:PORT:HOST:PORT` rules that change only where TCP connects. The Host
// header and the TLS name (SNI and the certificate check) stay what a remote server would use,
// which is what lets tests point real names at local servers.

#include "core/expected.hpp"
#include "core/http_url.hpp"
#include "http/client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::federation::doctor {

/// One `--connect-to` rule: connections meant for `name`:`port` go to `host`:`to_port`.
struct ConnectTo {
  std::string name;  ///< host name or IP literal (IPv6 without brackets), compared case-insensitively
  std::uint16_t port = 0;
  std::string host;  ///< IPv6 without brackets
  std::uint16_t to_port = 0;

  bool operator==(const ConnectTo&) const = default;
};

/// Parses `NAME:PORT:HOST:PORT` (IPv6 literals in brackets); an error message otherwise.
core::Expected<ConnectTo, std::string> parse_connect_to(std::string_view spec);

/// Where TCP goes for `host`:`port` under `rules` (the first match wins; unchanged without one).
std::pair<std::string, std::uint16_t> connect_destination(const std::vector<ConnectTo>& rules, std::string_view host,
                                                          std::uint16_t port);

/// GET requests through an http::Client with the connect-to rules applied.
class Transport {
 public:
  Transport(http::Client& client, std::vector<ConnectTo> rules) : client_(client), rules_(std::move(rules)) {}

  /// GET `target` from `connect_host`:`port` with the given Host header and TLS name (the TLS
  /// name defaults to `connect_host`, as the client's does, before any rule applies).
  core::Expected<http::ClientResponse, http::ClientError> get(std::string connect_host, std::uint16_t port,
                                                              std::string host_header, std::string tls_name,
                                                              std::string target, bool tls = true);
  /// GET `url` as a browser or client would (Host and TLS name from the URL).
  core::Expected<http::ClientResponse, http::ClientError> get(const core::HttpUrl& url);

  /// Where TCP goes for `host`:`port`.
  std::pair<std::string, std::uint16_t> destination(std::string_view host, std::uint16_t port) const {
    return connect_destination(rules_, host, port);
  }

 private:
  http::Client& client_;
  std::vector<ConnectTo> rules_;
};

}  // namespace ranvier::federation::doctor
