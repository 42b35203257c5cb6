#pragma once
// One entry of the endpoint table generated from spec/ (tools/gen_api.py). The router and the
// coverage report read the same table, so what is served is what is counted.

#include "api/http_types.hpp"

#include <span>
#include <string_view>

namespace ranvier::api {

struct RequestContext;

/// Which of the spec's APIs an operation belongs to.
enum class ApiFamily { client_server, server_server, application_service, push_gateway, identity };

/// Whether a request must, may or must not carry credentials (the spec's `security`).
enum class AuthRequirement { none, optional, required };

/// Which credentials: an access token (Bearer header or deprecated `access_token` query),
/// an X-Matrix signed request, an application-service homeserver token.
enum class AuthScheme { none, access_token, signed_request, homeserver_token };

/// Parses and validates the request into the operation's typed struct, then calls its handler.
/// Throws MatrixError for invalid input.
using Invoker = ApiResponse (*)(RequestContext&);

struct Operation {
  ApiFamily api;
  std::string_view method;        ///< "GET", "POST", …
  std::string_view path;          ///< full template, e.g. "/_matrix/client/v3/rooms/{roomId}/state"
  std::string_view operation_id;  ///< as in the spec, e.g. "getVersions"
  AuthRequirement auth;
  AuthScheme scheme;
  bool rate_limited;
  bool deprecated;
  std::string_view spec_file;     ///< e.g. "client-server/versions.yaml"
  Invoker invoke;                 ///< always set: parses, validates, calls the handler
  /// False while no handler is linked in. Per route: where the spec documents one route twice
  /// (inviteUser/inviteBy3PID, getEvents/peekEvents) it is true if either handler is linked.
  bool (*has_handler)();
};

/// Every operation of every API, in spec order (generated).
std::span<const Operation> operations();

/// "client-server", "server-server", … as used in reports.
std::string_view api_family_name(ApiFamily api);

}  // namespace ranvier::api
