#pragma once
// Media IDs: the opaque part of `mxc://<server-name>/<media-id>` URIs this server hands out,
// and the character check every media ID from a request must pass (spec: client-server API,
// "Content repository" → "Security considerations").

#include <string>
#include <string_view>

namespace ranvier::media {

/// A new random media ID: 24 characters from [A-Za-z0-9] (about 143 bits).
std::string new_media_id();

/// True for a non-empty ID of at most 255 characters from [A-Za-z0-9_-], the only characters
/// the spec allows, so an ID can never name another file or path.
bool is_valid_media_id(std::string_view media_id);

}  // namespace ranvier::media
