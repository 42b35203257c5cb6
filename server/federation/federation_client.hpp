#pragma once
// Signed requests to other servers (spec: server-server API, "Request Authentication"):
// discovery picks where to connect, the request is signed with our key as X-Matrix, and the
// JSON answer or a typed error comes back. Blocking; call from worker threads.

#include "core/expected.hpp"
#include "core/signing.hpp"
#include "http/client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::http {
class Client;
}

namespace ranvier::federation {

class ServerResolver;

/// Why a federation request produced no usable answer.
struct FederationError {
  enum class Kind {
    bad_destination,  ///< not a server name
    unreachable,      ///< no connection, TLS failure, timeout
    http,             ///< the remote answered with an error status
    bad_response,     ///< a success status without a JSON object body, or an oversized one
  };
  Kind kind = Kind::unreachable;
  int status = 0;           ///< the HTTP status, for Kind::http
  std::string errcode;      ///< the Matrix errcode of an error body, when present
  std::string message;      ///< the error body's `error`, or what went wrong locally
};

/// When a request must be over at the latest; none: only the HTTP client's own timeout.
using Deadline = std::optional<std::chrono::steady_clock::time_point>;

/// Short description for logs: "http 403 M_FORBIDDEN: …".
std::string describe(const FederationError& error);

class FederationClient {
 public:
  /// `origin` and `key` sign every request; `resolver` and `client` must outlive this.
  FederationClient(std::string origin, core::SigningKey key, ServerResolver& resolver, http::Client& client);

  /// GET `path_and_query` (e.g. "/_matrix/federation/v1/version") on `destination`.
  core::Expected<nlohmann::json, FederationError> get(std::string_view destination, std::string_view path_and_query);
  /// PUT with a JSON body.
  core::Expected<nlohmann::json, FederationError> put(std::string_view destination, std::string_view path_and_query,
                                                      const nlohmann::json& body);
  /// POST with a JSON body; with a `deadline`, the request ends by then at the latest
  /// (Kind::unreachable, "timeout", after it).
  core::Expected<nlohmann::json, FederationError> post(std::string_view destination, std::string_view path_and_query,
                                                       const nlohmann::json& body, Deadline deadline = std::nullopt);

  /// PUT whose successful answer may be any JSON value, not only an object (the v1 invite API
  /// answers with an array).
  core::Expected<nlohmann::json, FederationError> put_any(std::string_view destination,
                                                          std::string_view path_and_query,
                                                          const nlohmann::json& body);

  /// Any method; `body` null for none. `sign` false sends no Authorization header (the key
  /// endpoints need none).
  core::Expected<nlohmann::json, FederationError> request(std::string_view method, std::string_view destination,
                                                          std::string_view path_and_query,
                                                          const nlohmann::json* body, bool sign = true);

  /// A signed GET whose answer is not JSON (media: multipart/mixed): the whole response,
  /// whatever its status. Errors are bad_destination and unreachable only.
  core::Expected<http::ClientResponse, FederationError> get_raw(std::string_view destination,
                                                                std::string_view path_and_query);

  /// The server name requests are signed as.
  const std::string& origin() const { return origin_; }

 private:
  /// `request`, with any JSON value accepted as a successful answer when `object_only` is false.
  core::Expected<nlohmann::json, FederationError> answer(std::string_view method, std::string_view destination,
                                                         std::string_view path_and_query, const nlohmann::json* body,
                                                         bool sign, bool object_only, Deadline deadline);

  /// Resolves, signs (unless `sign` is false) and sends; HTTP error statuses are answers.
  core::Expected<http::ClientResponse, FederationError> send(std::string_view method, std::string_view destination,
                                                             std::string_view path_and_query,
                                                             const nlohmann::json* body, bool sign,
                                                             Deadline deadline = std::nullopt);

  std::string origin_;
  core::SigningKey key_;
  ServerResolver& resolver_;
  http::Client& client_;
};

}  // namespace ranvier::federation
