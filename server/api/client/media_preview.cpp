// GET /_matrix/client/v1/media/preview_url and its deprecated twin /_matrix/media/v3/preview_url
// (client-server API, "Content repository",
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1mediapreview_url): the
// server fetches an http(s) page for the user and answers its OpenGraph data; an image (the
// page itself or its og:image) is stored in the content repository and named by its mxc://
// URI. Off unless config media.url_preview.enabled. Every address the fetch would connect to,
// redirects included, is checked against the IP deny/allow lists first, and the connection
// goes to that checked address (no second DNS answer can swap it); pages are capped in size
// and time by the preview client's options.

#include "api/client/media_serving.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "http/client.hpp"
#include "media/content_headers.hpp"
#include "media/http_url.hpp"
#include "media/ip_ranges.hpp"
#include "media/opengraph.hpp"
#include "media/thumbnailer.hpp"

#include <algorithm>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

namespace ranvier::api::client_server {
namespace {

constexpr int max_redirects = 5;

struct Fetched {
  std::string url;  ///< after redirects
  std::string content_type;
  std::string body;
};

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
std::string checked_address(const config::UrlPreview& config, const media::HttpUrl& url) {
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
      throw MatrixError(ErrCode::forbidden, "URL previews of this address are not allowed");
    }
  }
  return addresses.front();
}

Fetched fetch(RequestContext& ctx, std::string url_text) {
  const auto& config = ctx.services.config.media.url_preview;
  for (int hop = 0; hop <= max_redirects; ++hop) {
    auto url = media::parse_http_url(url_text);
    if (!url) {
      throw MatrixError(ErrCode::unknown, "Only absolute http and https URLs can be previewed");
    }
    http::ClientRequest request;
    request.tls = url->tls;
    request.connect_host = checked_address(config, *url);
    request.port = url->port;
    request.host_header = url->host_header();
    request.tls_name = url->host;
    request.target = url->target;
    request.headers = {{"User-Agent", "Ranvier URL preview"}, {"Accept", "text/html, image/*;q=0.9, */*;q=0.1"}};
    auto response = ctx.services.url_preview_client->request(request);
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
    return Fetched{url_text, std::string(response->header("content-type")), std::move(response->body)};
  }
  throw MatrixError(ErrCode::bad_gateway, "Too many redirects");
}

std::string lower_essence(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

/// Stores an image in the content repository and describes it as og:image fields.
void add_image(RequestContext& ctx, const Fetched& image, nlohmann::json& og) {
  auto& repo = media_serving::repository(ctx);
  if (image.body.size() > repo.config().max_upload_size) {
    return;
  }
  const auto type = media::sniff_image_type(image.body);
  const std::string content_type = type.empty() ? lower_essence(image.content_type) : std::string(type);
  auto media_id = repo.upload(ctx.principal->user_id, content_type, std::nullopt, image.body, now_ms());
  if (!media_id) {
    return;
  }
  og["og:image"] = "mxc://" + ctx.services.config.server_name + "/" + *media_id;
  og["og:image:type"] = content_type;
  og["matrix:image:size"] = image.body.size();
  if (auto size = media::image_size(image.body)) {
    og["og:image:width"] = size->width;
    og["og:image:height"] = size->height;
  }
}

ApiResponse preview(RequestContext& ctx, const std::string& url) {
  if (ctx.services.url_preview_client == nullptr) {
    throw MatrixError(ErrCode::forbidden, "URL previews are disabled on this server");
  }
  const auto page = fetch(ctx, url);
  const auto type = lower_essence(page.content_type);
  auto og = nlohmann::json::object();
  if (type.starts_with("image/")) {
    add_image(ctx, page, og);
  } else if (type == "text/html" || type == "application/xhtml+xml") {
    og = media::parse_opengraph(page.body);
    if (og.contains("og:image")) {
      const auto image_url = media::resolve_url(page.url, og["og:image"].get<std::string>());
      og.erase("og:image");
      try {
        add_image(ctx, fetch(ctx, image_url), og);
      } catch (const MatrixError&) {
        // A page whose image cannot be fetched still has a preview, without the image.
      }
    }
  }
  return json_response(og);
}

}  // namespace

ApiResponse getUrlPreviewAuthed(RequestContext& ctx, const GetUrlPreviewAuthedRequest& req) {
  return preview(ctx, req.url);
}

ApiResponse getUrlPreview(RequestContext& ctx, const GetUrlPreviewRequest& req) { return preview(ctx, req.url); }

}  // namespace ranvier::api::client_server
