#pragma once
// Percent-encoding and -decoding (RFC 3986 §2.1) for path segments, query strings and URLs.

#include <optional>
#include <string>
#include <string_view>

namespace ranvier::core {

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query strings).
/// nullopt for a truncated or non-hex escape. The result may be any bytes: callers that need
/// text check UTF-8 themselves.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

/// Encodes every byte outside RFC 3986's unreserved set (ALPHA DIGIT - . _ ~) as %XX, so the
/// result is safe as one path segment or query value (room, user and event IDs in URLs).
std::string percent_encode(std::string_view text);

}  // namespace ranvier::core
