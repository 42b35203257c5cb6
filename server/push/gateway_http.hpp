#pragma once
// The push delivery worker's transport over the outbound HTTP client: POST to the pusher's
// `data.url` (http or https, checked when the pusher was set).

#include "http/client.hpp"
#include "push/delivery.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::push {

/// The parts of an http(s) URL the client needs.
struct GatewayUrl {
  bool tls = true;
  std::string host;  ///< without brackets for IPv6 literals
  std::uint16_t port = 443;
  std::string host_header;
  std::string target;  ///< path and query
};

/// Splits an http(s) URL; nullopt when it is not one.
std::optional<GatewayUrl> parse_gateway_url(std::string_view url);

/// A transport that POSTs JSON with `client`; status 0 for URLs it cannot use and for requests
/// that got no answer.
GatewayTransport http_gateway_transport(http::Client& client);

}  // namespace ranvier::push
