#include "push/gateway_http.hpp"

#include <charconv>
#include <cstdio>

namespace ranvier::push {

std::optional<GatewayUrl> parse_gateway_url(std::string_view url) {
  GatewayUrl out;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    out.port = 80;
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const auto slash = url.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return std::nullopt;
  }
  const auto authority = url.substr(0, slash);
  out.target = std::string(url.substr(slash));
  out.host_header = std::string(authority);
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return std::nullopt;
      }
      port = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    return std::nullopt;
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = std::string(host);
  return out;
}

GatewayTransport http_gateway_transport(http::Client& client) {
  return [&client](const std::string& url, const std::string& body) {
    const auto parsed = parse_gateway_url(url);
    if (!parsed) {
      return GatewayOutcome{0, ""};
    }
    http::ClientRequest request{.method = "POST",
                                .tls = parsed->tls,
                                .connect_host = parsed->host,
                                .port = parsed->port,
                                .host_header = parsed->host_header,
                                .tls_name = "",
                                .target = parsed->target,
                                .headers = {{"Content-Type", "application/json"}},
                                .body = body};
    auto response = client.request(request);
    if (!response) {
      std::fprintf(stderr, "ranvier: push: %s: %s\n", url.c_str(), response.error().message.c_str());
      return GatewayOutcome{0, ""};
    }
    return GatewayOutcome{response->status, std::move(response->body)};
  };
}

}  // namespace ranvier::push
