#pragma once
// What a handler receives besides its typed request.

#include "api/http_types.hpp"
#include "api/operation.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ranvier::api {

struct Services;

/// The authenticated client behind an access token.
struct Principal {
  std::string user_id;
  std::string device_id;
  std::string access_token;
  bool is_guest = false;
  bool is_admin = false;
  /// The application service whose as_token this is; empty for ordinary tokens.
  std::string appservice_id{};
  /// False for an application service registered with `rate_limited: false`.
  bool rate_limited = true;
};

/// Per-request state handed to parsers and handlers.
struct RequestContext {
  const ApiRequest& request;
  const Operation& operation;
  Services& services;
  /// Path parameters, percent-decoded, in the order they appear in the path template.
  std::vector<std::string> path_params;
  /// Query parameters, decoded, in request order (repeated keys kept).
  std::vector<std::pair<std::string, std::string>> query;
  /// Set by the dispatcher for access-token operations that carried a valid token.
  std::optional<Principal> principal;
  /// Set by the dispatcher for signed federation requests: the verified origin server.
  std::optional<std::string> origin;
};

}  // namespace ranvier::api
