#include "api/client/media_fetch.hpp"

#include "api/errors.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/http_url.hpp"
#include "http/client.hpp"
#include "media/ip_ranges.hpp"
#include "media/opengraph.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

namespace ranvier::api::media_fetch {
namespace {

constexpr int max_redirects = 5;

std::vector<std::string> resolve_host(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &result) != 0) {
    return {};
  }
  std::vector<std::string> out;
  for (auto* ai = result; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* address = ai->ai_family == AF_INET
                              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
                              : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
        ::inet_ntop(ai->ai_family, address, text, sizeof text) != nullptr) {
      out.emplace_back(text);
    }
  }
  ::freeaddrinfo(result);
  return out;
}

/// The one address to connect to: every address of the host must be allowed (a name with
/// one private address among public ones is refused as a whole).
std::string checked_address(const config::UrlPreview& config, const core::HttpUrl& url) {
  const auto deny = media::IpRanges::parse(config.ip_range_denylist);
  const auto allow = media::IpRanges::parse(config.ip_range_allowlist);
  if (!deny || !allow) {
    throw MatrixError(ErrCode::internal, "media.url_preview ranges do not parse");
  }
  const auto addresses = url.ip_literal ? std::vector<std::string>{url.host} : resolve_host(url.host);
  if (addresses.empty()) {
    throw MatrixError(ErrCode::bad_gateway, "Could not resolve " + url.host);
  }
  for (const auto& address : addresses) {
    if (!media::ip_allowed(address, *deny, *allow)) {
      throw MatrixError(ErrCode::forbidden, "Fetching from this address is not allowed");
    }
  }
  return addresses.front();
}

}  // namespace

Fetched fetch_url(RequestContext& ctx, std::string url_text, std::uint64_t max_bytes) {
  auto* client = ctx.services.url_preview_client;
  if (client == nullptr) {
    throw MatrixError(ErrCode::bad_gateway, "This server does not fetch web URLs");
  }
  const auto& config = ctx.services.config.media.url_preview;
  for (int hop = 0; hop <= max_redirects; ++hop) {
    auto url = core::parse_http_url(url_text);
    if (!url) {
      throw MatrixError(ErrCode::unknown, "Only absolute http and https URLs can be fetched");
    }
    http::ClientRequest request;
    request.tls = url->tls;
    request.connect_host = checked_address(config, *url);
    request.port = url->port;
    request.host_header = url->host_header();
    request.tls_name = url->host;
    request.target = url->target;
    request.headers = {{"User-Agent", "Ranvier"}, {"Accept", "text/html, image/*;q=0.9, */*;q=0.1"}};
    auto response = client->request(request);
    if (!response) {
      throw MatrixError(ErrCode::bad_gateway,
                        "Could not fetch the URL: " + std::string(http::to_string(response.error().kind)));
    }
    if (response->status >= 300 && response->status < 400 && !response->header("location").empty()) {
      url_text = media::resolve_url(url_text, response->header("location"));
      continue;
    }
    if (response->status != 200) {
      throw MatrixError(ErrCode::bad_gateway, "The URL answered " + std::to_string(response->status));
    }
    if (response->body.size() > max_bytes) {
      throw MatrixError(ErrCode::remote_too_large, "The URL's content is too large");
    }
    return Fetched{url_text, std::string(response->header("content-type")), std::move(response->body)};
  }
  throw MatrixError(ErrCode::bad_gateway, "Too many redirects");
}

}  // namespace ranvier::api::media_fetch
