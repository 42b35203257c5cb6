#pragma once
// Requests from this server to an application service (application service API): to its
// registered `url` plus the API path, authorized with the service's hs_token.

#include "appservice/registration.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::http {
class Client;
}

namespace ranvier::appservice {

/// Why a call got no HTTP answer.
enum class CallFailure {
  none,        ///< there is an answer (any status)
  no_url,      ///< the registration has `url: null`
  bad_url,     ///< the registration's URL cannot be used
  connection,  ///< no connection, TLS failure, or a broken answer
  timeout,     ///< no answer in time
};

struct CallOutcome {
  CallFailure failure = CallFailure::none;
  int status = 0;
  std::string body;
  /// What went wrong, for logs and error messages.
  std::string message;

  bool ok() const { return failure == CallFailure::none && status >= 200 && status < 300; }
};

/// Sends one request; `path` is the API path with its query, e.g. "/_matrix/app/v1/ping".
using Caller = std::function<CallOutcome(const Registration& service, std::string_view method, std::string_view path,
                                         const std::string& json_body)>;

/// A Caller over the outbound HTTP client (which must outlive it). A service that does not know
/// a `/_matrix/app/v1` path is asked again at its legacy route (see legacy_path).
Caller http_caller(http::Client& client);

/// The legacy route of a `/_matrix/app/v1` path (application service API, "Legacy routes"):
/// `/_matrix/app/unstable/thirdparty/…` for third-party lookups, the bare path
/// (`/transactions/1`, `/users/…`, `/rooms/…`) for the rest; nullopt when it has none.
std::optional<std::string> legacy_path(std::string_view path);

/// True if an answer says the service does not know the route at all (405, or 404 without a
/// Matrix error other than M_UNRECOGNIZED), so the legacy route is worth a try.
bool route_unknown(const CallOutcome& outcome);

}  // namespace ranvier::appservice
