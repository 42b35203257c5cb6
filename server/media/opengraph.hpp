#pragma once
// OpenGraph metadata from an HTML page, for URL previews (spec: client-server API, "GET
// /_matrix/client/v1/media/preview_url"). Pure and tolerant: any bytes give an object, never
// an exception.

#include <nlohmann/json.hpp>

#include <string_view>

namespace ranvier::media {

/// The page's `og:*` meta properties as a JSON object of strings (`og:title`,
/// `og:description`, `og:image`, …; the first value of each wins). Without `og:title` the
/// `<title>` element is used, without `og:description` the `description` meta tag. Character
/// references (`&amp;`, `&#39;`, `&#x27;`, …) are decoded.
nlohmann::json parse_opengraph(std::string_view html);

/// `url` resolved against the page's `base` URL: absolute http(s) URLs stay, `//host/x` takes
/// the base's scheme, `/x` its origin, other relative paths its directory.
std::string resolve_url(std::string_view base, std::string_view url);

}  // namespace ranvier::media
