#pragma once
// The headers served with media bytes (spec: client-server API, "Content repository" and its
// "Serving inline content" section): Content-Disposition chosen from the content type,
// Content-Security-Policy and Cross-Origin-Resource-Policy.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::media {

/// True if the spec lists `content_type` (parameters such as `; charset=` ignored, compared
/// case-insensitively) as safe to serve with `Content-Disposition: inline`.
bool is_inline_safe(std::string_view content_type);

/// `inline` for the safe types, `attachment` for the rest, with the file name (if any) as an
/// RFC 6266 `filename` (ASCII only, quoted) and `filename*` (RFC 8187 UTF-8) parameter.
std::string content_disposition(std::string_view content_type, std::string_view file_name);

/// Content-Disposition, Content-Security-Policy and
/// Cross-Origin-Resource-Policy for a media response (its Content-Type is set apart).
std::vector<std::pair<std::string, std::string>> media_headers(std::string_view content_type,
                                                               std::string_view file_name);

/// The file name a Content-Disposition header carries: `filename*` (RFC 8187, UTF-8) when
/// present and well-formed, else `filename`; empty when there is none.
std::string file_name_of(std::string_view content_disposition);

/// The content type to store for an upload: the request's Content-Type, or
/// `application/octet-stream` when it is missing or blank (the spec's default).
std::string upload_content_type(std::string_view header_value);

}  // namespace ranvier::media
