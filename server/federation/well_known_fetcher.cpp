#include "federation/well_known_fetcher.hpp"

#include "core/identifiers.hpp"
#include "http/client.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace ranvier::federation {
namespace {

constexpr int max_redirects = 5;
/// A .well-known document is a few dozen bytes; anything large is not one.
constexpr std::size_t max_body_bytes = 64 * 1024;

struct Location {
  std::string host;
  std::uint16_t port = 443;
  std::string target;
};

/// An absolute https URL or an absolute path (relative to `current`); nullopt otherwise.
std::optional<Location> parse_location(std::string_view url, const Location& current) {
  if (url.starts_with("/")) {
    return Location{current.host, current.port, std::string(url)};
  }
  constexpr std::string_view scheme = "https://";
  if (!url.starts_with(scheme)) {
    return std::nullopt;
  }
  url.remove_prefix(scheme.size());
  const auto slash = url.find('/');
  const auto authority = url.substr(0, slash);
  const auto target = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  const auto name = core::parse_server_name(authority);
  if (!name) {
    return std::nullopt;
  }
  std::string host = name->host;
  if (host.starts_with('[')) {
    host = host.substr(1, host.size() - 2);
  }
  return Location{host, name->port.value_or(443), std::string(target)};
}

}  // namespace

std::optional<std::string> parse_well_known_server(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("m.server") || !json["m.server"].is_string()) {
    return std::nullopt;
  }
  auto server = json["m.server"].get<std::string>();
  if (!core::is_valid_server_name(server)) {
    return std::nullopt;
  }
  return server;
}

WellKnownResult HttpWellKnownFetcher::fetch(const std::string& hostname) {
  Location at{hostname, 443, "/.well-known/matrix/server"};
  for (int hop = 0; hop <= max_redirects; ++hop) {
    http::ClientRequest req;
    req.method = "GET";
    req.connect_host = at.host;
    req.port = at.port;
    req.host_header = at.port == 443 ? at.host : at.host + ":" + std::to_string(at.port);
    req.tls_name = at.host;
    req.target = at.target;
    auto response = client_.request(req);
    if (!response) {
      return {};
    }
    WellKnownResult result;
    result.max_age = cache_max_age(response->header("cache-control"));
    if (response->status >= 300 && response->status < 400) {
      auto next = parse_location(response->header("location"), at);
      if (!next) {
        return result;
      }
      at = std::move(*next);
      continue;
    }
    if (response->status == 200 && response->body.size() <= max_body_bytes) {
      result.server = parse_well_known_server(response->body);
    }
    return result;
  }
  return {};
}

}  // namespace ranvier::federation
