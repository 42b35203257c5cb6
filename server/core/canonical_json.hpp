#pragma once
// Canonical JSON (spec: content/appendices.md "Canonical JSON") and a strict JSON parser.
//
// The encoder writes the shortest UTF-8 form with object keys sorted by code point. nlohmann's
// objects are std::maps keyed by UTF-8 strings, whose byte order equals code-point order, so
// sorting comes for free. The parser rejects everything a signature check must not tolerate:
// duplicate keys, invalid UTF-8, lone surrogates, and (for room versions ≥ 6) non-canonical
// numbers.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"

namespace ranvier::core {

/// Largest magnitude canonical JSON allows for an integer: 2^53 − 1.
inline constexpr std::int64_t max_canonical_int = (std::int64_t{1} << 53) - 1;

/// How numbers are treated by the parser and the canonical check.
enum class NumberPolicy {
  /// Room versions ≥ 6 and new data: integers in ±(2^53−1) without fraction or exponent.
  canonical,
  /// Room versions 1–5: any JSON number; integral values become integers where they fit.
  lenient,
};

/// Why JSON was rejected.
enum class JsonErrorCode {
  syntax,                ///< not JSON (bad token, missing comma, trailing garbage, …)
  unexpected_end,        ///< input ended inside a value
  invalid_utf8,          ///< a string (or raw input) is not well-formed UTF-8
  invalid_escape,        ///< unknown escape or malformed \u sequence
  lone_surrogate,        ///< \uD800–\uDFFF escape without its pair
  control_character,     ///< raw byte below 0x20 inside a string
  duplicate_key,         ///< an object repeats a key
  too_deep,              ///< nesting deeper than the parser allows
  float_not_allowed,     ///< fraction or exponent under NumberPolicy::canonical
  integer_out_of_range,  ///< integer outside ±(2^53−1) under NumberPolicy::canonical
  number_out_of_range,   ///< a number not representable even as a double
};

/// A parse or validation error with the byte offset where it was noticed (0 for validation).
struct JsonError {
  JsonErrorCode code;
  std::size_t offset = 0;
};

/// Short English name of an error code, for logs and M_BAD_JSON messages.
std::string_view to_string(JsonErrorCode code);

/// Nesting limit of parse_json_strict (objects and arrays).
inline constexpr std::size_t max_json_depth = 256;

/// Parses one JSON value (surrounding whitespace allowed). Never throws for bad input.
Expected<nlohmann::json, JsonError> parse_json_strict(std::string_view text,
                                                      NumberPolicy numbers = NumberPolicy::canonical);

/// Appends the canonical encoding of `value` to `out`. Floats (only possible under the lenient
/// policy) are written as integers when integral, otherwise in shortest round-trip form;
/// NaN and infinities, which JSON cannot express, are written as null.
void canonical_json_append(const nlohmann::json& value, std::string& out);

/// Appends the canonical encoding of `object` with the named top-level members left out (e.g.
/// `signatures` and `unsigned` for signing). Encodes member by member instead of copying.
/// A non-object is encoded whole.
void canonical_json_append_without(const nlohmann::json& object,
                                   std::initializer_list<std::string_view> skip, std::string& out);

/// The canonical encoding of `value`.
std::string canonical_json(const nlohmann::json& value);

/// Checks that a value (e.g. one built in code) is encodable as canonical JSON under `numbers`:
/// every string and key valid UTF-8 and, for NumberPolicy::canonical, only integers in range.
std::optional<JsonError> check_canonical(const nlohmann::json& value,
                                         NumberPolicy numbers = NumberPolicy::canonical);

/// Appends `s` as a JSON string literal (quotes included) with canonical escaping.
void append_json_string(std::string_view s, std::string& out);

/// Appends an object member's `"key":`, preceded by a comma unless `first` (which it clears).
/// For encoders that write objects member by member.
void append_json_key(std::string_view key, bool& first, std::string& out);

}  // namespace ranvier::core
