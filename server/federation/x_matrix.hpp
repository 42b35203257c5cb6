#pragma once
// The `Authorization: X-Matrix …` header of signed federation requests (spec: server-server
// API, "Request Authentication"): parameters after RFC 7235's auth-param grammar, names
// case-insensitive, values tokens or quoted strings (with backslash escapes); for older
// servers, unquoted values may contain colons. Pure: no I/O.

#include "core/expected.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ranvier::federation {

/// The parameters of one X-Matrix header.
struct XMatrixAuth {
  std::string origin;
  /// Absent from servers older than spec v1.3, which recipients must still accept.
  std::optional<std::string> destination;
  std::string key;  ///< e.g. "ed25519:abc"
  std::string sig;  ///< unpadded base64 signature

  bool operator==(const XMatrixAuth&) const = default;
};

/// Why a header was refused.
enum class XMatrixError {
  wrong_scheme,       ///< not `X-Matrix` followed by a space
  malformed,          ///< the parameter list does not follow the grammar
  duplicate_param,    ///< origin, destination, key or sig given twice
  missing_origin,
  missing_key,
  missing_signature,
};

/// Short English description, for 401 responses and logs.
std::string_view to_string(XMatrixError e);

/// Parses an Authorization header value. Unknown parameters are ignored.
core::Expected<XMatrixAuth, XMatrixError> parse_x_matrix(std::string_view header);

/// Formats the header value the way the spec asks senders to: one space after the scheme,
/// lower-case names, every value quoted.
std::string format_x_matrix(const XMatrixAuth& auth);

}  // namespace ranvier::federation
