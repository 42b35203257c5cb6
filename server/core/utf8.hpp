#pragma once
// UTF-8 well-formedness (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.

#include <cstddef>
#include <string_view>

namespace ranvier::core {

/// Length in bytes of the well-formed UTF-8 sequence starting at s[i], or 0 if it is malformed.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

/// True if the whole string is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace ranvier::core
