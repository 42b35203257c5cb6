#pragma once
// multipart/mixed bodies of the federation media endpoints (spec: server-server API, "Content
// Repository"; RFC 2046 §5.1): exactly two parts, the JSON metadata and then the media bytes
// (or a Location header pointing at them). Pure; the parser never throws.

#include "core/expected.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::media {

/// One body part: headers (names lower-cased) and bytes.
struct MultipartPart {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header with this lower-case name, or empty.
  std::string_view header(std::string_view lower_name) const;
};

/// A federation media answer taken apart.
struct FederationMedia {
  std::string metadata_json;  ///< the first part's body (currently always `{}`)
  MultipartPart media;        ///< the second part: bytes with Content-Type, or a Location
};

/// A random boundary that cannot occur in `body` (checked).
std::string make_boundary(std::string_view body);

/// The Content-Type header of a multipart/mixed body with this boundary.
std::string multipart_content_type(std::string_view boundary);

/// The two-part body: `metadata_json` as application/json, then `media` with its headers.
std::string write_federation_media(std::string_view boundary, std::string_view metadata_json,
                                   const MultipartPart& media);

enum class MultipartError {
  not_multipart,     ///< the Content-Type is not multipart/* or has no boundary
  malformed,         ///< delimiters, headers or the closing delimiter are missing or broken
  wrong_part_count,  ///< not exactly two parts
};

/// Short description, for logs and error messages.
std::string_view to_string(MultipartError error);

/// The `boundary` parameter of a multipart Content-Type, or empty.
std::string boundary_of(std::string_view content_type);

/// Splits a multipart body into its parts.
core::Expected<std::vector<MultipartPart>, MultipartError> parse_multipart(std::string_view content_type,
                                                                            std::string_view body);

/// Parses a federation media answer: two parts, the first JSON.
core::Expected<FederationMedia, MultipartError> parse_federation_media(std::string_view content_type,
                                                                       std::string_view body);

}  // namespace ranvier::media
