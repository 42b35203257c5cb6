#pragma once
// Unpadded base64, standard and URL-safe alphabets (spec: content/appendices.md "Unpadded Base64").
// Decoding accepts input with or without `=` padding, as the spec recommends.

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace ranvier::core {

/// Why a base64 string could not be decoded.
enum class Base64Error {
  invalid_character,  ///< a byte outside the alphabet (or `=` before the end)
  invalid_length,     ///< length ≡ 1 (mod 4), or padding that does not complete a 4-char group
};

/// Encodes bytes with the standard alphabet (`+`, `/`) and no padding.
std::string base64_encode(std::string_view bytes);
/// Encodes bytes with the URL-safe alphabet (`-`, `_`) and no padding.
std::string base64url_encode(std::string_view bytes);

/// Decodes standard-alphabet base64 (padded or not) into bytes.
Expected<std::string, Base64Error> base64_decode(std::string_view text);
/// Decodes URL-safe base64 (padded or not) into bytes.
Expected<std::string, Base64Error> base64url_decode(std::string_view text);

}  // namespace ranvier::core
