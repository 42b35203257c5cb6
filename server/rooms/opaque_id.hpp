#pragma once
// Random identifiers for the parts of room and event IDs this server chooses itself.

#include <cstddef>
#include <string>

namespace ranvier::rooms {

/// `length` random characters from [A-Za-z] (the opaque part of `!opaque:server` room IDs and
/// v1/v2 `$opaque:server` event IDs).
std::string opaque_id(std::size_t length);

}  // namespace ranvier::rooms
