#pragma once
// Fetching web URLs for the content repository: URL previews, and media that another server
// answers with a `Location` instead of the bytes. The server must not be made to reach its own
// network: every address a URL's host resolves to, redirects included, is checked against
// config media.url_preview.ip_range_denylist / ip_range_allowlist first, and the connection goes
// to that checked address (no second DNS answer can swap it).

#include "api/context.hpp"

#include <cstdint>
#include <string>

namespace ranvier::api::media_fetch {

/// A fetched URL.
struct Fetched {
  std::string url;  ///< after redirects
  std::string content_type;
  std::string body;
};

/// GETs `url` (http or https, at most 5 redirects) with Services::url_preview_client. Errors:
/// 400 M_UNKNOWN for a URL that is not absolute http(s), 403 M_FORBIDDEN for a denied address,
/// 502 for unreachable hosts, other statuses and bodies over `max_bytes`.
Fetched fetch_url(RequestContext& ctx, std::string url, std::uint64_t max_bytes);

}  // namespace ranvier::api::media_fetch
