#pragma once
// From a parsed HTTP request to a response: routing, listener checks, CORS, authentication,
// rate limiting, validation (in the generated invoker) and the handler. Errors of every kind
// are rendered here, in one place.

#include "api/http_types.hpp"
#include "api/router.hpp"

#include <optional>
#include <vector>

namespace ranvier::api {

struct Services;

class Dispatcher {
 public:
  /// `extensions`: non-spec operations to route besides the spec's (see api/extensions.hpp).
  Dispatcher(Services& services, std::span<const Operation> extensions);

  /// Answers what needs no I/O on the calling (network) thread; nullopt: call handle() on a
  /// worker thread instead.
  std::optional<ApiResponse> handle_inline(const ApiRequest& request) const;

  /// Answers any request; may block on the database.
  ApiResponse handle(const ApiRequest& request) const;

 private:
  /// Routing result plus the response when routing alone decides the answer.
  struct Routed {
    RouteMatch match;
    std::optional<ApiResponse> response;
  };
  Routed route(const ApiRequest& request) const;
  ApiResponse run(const ApiRequest& request, RouteMatch& match) const;
  /// Adds what every response gets (CORS on the client listener); for a long poll, arranges
  /// that the eventual answer gets it too.
  void finish(const ApiRequest& request, ApiResponse& response) const;

  Services& services_;
  std::vector<Operation> all_operations_;  ///< spec operations, then extensions
  Router router_;
};

/// True for operations whose handlers never touch the database (served on network threads).
bool runs_inline(std::string_view operation_id);

}  // namespace ranvier::api
