#include "api/dispatcher.hpp"

#include "api/authentication.hpp"
#include "api/client/appservice_auth.hpp"
#include "api/context.hpp"
#include "api/errors.hpp"
#include "api/rate_limiter.hpp"
#include "api/services.hpp"
#include "api/room_errors.hpp"
#include "metrics/metrics.hpp"
#include "rooms/errors.hpp"
#include "rooms/notifier.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace ranvier::api {
namespace {

// Spec: client-server API, "Web Browser Clients": every client API response carries these.
void add_cors(ApiResponse& r) {
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  r.headers.emplace_back("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
  r.headers.emplace_back("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization");
}

// Spec: client-server API, "Guest Access" → "Client behaviour": what guest accounts may call.
// Filters, account data, tags, key changes and logout are added as Synapse allows them, since
// clients use them on every start.
constexpr std::array<std::string_view, 36> guest_operations{
    // reading rooms
    "getRoomState", "getEventContext", "getOneRoomEvent", "getRoomStateWithKey", "getRoomEvents",
    "getMembersByRoom", "roomInitialSync", "sync", "getEvents", "peekEvents", "getContentAuthed",
    "getContentOverrideNameAuthed", "getContentThumbnailAuthed",
    // sending
    "joinRoomById", "joinRoom", "leaveRoom", "sendMessage", "setRoomStateWithKey", "sendToDevice",
    // own account
    "setProfileField", "getDevices", "getDevice", "updateDevice", "getTokenOwner", "logout",
    "defineFilter", "getFilter", "getAccountData", "setAccountData", "getAccountDataPerRoom",
    "setAccountDataPerRoom", "getRoomTags",
    // end-to-end encryption
    "uploadKeys", "queryKeys", "claimKeys", "getKeysChanges"};

bool guest_may_call(std::string_view operation_id) {
  return std::find(guest_operations.begin(), guest_operations.end(), operation_id) != guest_operations.end();
}

ApiResponse render(const MatrixError& e, std::string_view endpoint) {
  ApiResponse r;
  r.status = e.status();
  r.body = e.body();
  r.endpoint = endpoint;
  return r;
}

/// Which listeners may serve an operation (config `listeners[].resources`).
bool listener_serves(const ApiRequest& req, const Operation& op) {
  switch (op.api) {
    case ApiFamily::client_server:
      return req.on_client_listener;
    case ApiFamily::server_server:
      // /.well-known/matrix/server is fetched over HTTPS on port 443 by remote servers, which is
      // often the client listener behind a proxy: serve it from both.
      return req.on_federation_listener || (req.on_client_listener && op.path.starts_with("/.well-known/"));
    case ApiFamily::application_service:
    case ApiFamily::push_gateway:
    case ApiFamily::identity:
      // Ranvier is a homeserver: it calls these APIs but does not serve them.
      return false;
  }
  return false;
}

constexpr std::array<std::string_view, 6> inline_operations{
    "getVersions", "getWellknown", "getWellknownSupport", "getWellKnown", "getServerKey", "getVersion"};

}  // namespace

bool runs_inline(std::string_view operation_id) {
  for (auto id : inline_operations) {
    if (id == operation_id) {
      return true;
    }
  }
  return false;
}

namespace {

std::vector<Operation> routed_operations(std::span<const Operation> extensions) {
  std::vector<Operation> all(operations().begin(), operations().end());
  all.insert(all.end(), extensions.begin(), extensions.end());
  return all;
}

}  // namespace

Dispatcher::Dispatcher(Services& services, std::span<const Operation> extensions)
    : services_(services), all_operations_(routed_operations(extensions)), router_(all_operations_) {}

Dispatcher::Routed Dispatcher::route(const ApiRequest& req) const {
  Routed out;
  if (req.method == "OPTIONS" && req.on_client_listener) {
    // CORS pre-flight: the headers are the answer, whatever the path.
    ApiResponse r;
    r.body = "{}";
    r.endpoint = "cors_preflight";
    out.response = std::move(r);
    return out;
  }
  if (req.on_metrics_listener && req.method == "GET" && req.path == "/metrics") {
    ApiResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = services_.metrics.render();
    r.endpoint = "metrics";
    out.response = std::move(r);
    return out;
  }
  // HEAD is answered like GET, without the body (the network layer drops it).
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
  out.match = router_.match(method, req.path);
  auto& m = out.match;
  if (m.kind == RouteMatch::Kind::found && !listener_serves(req, *m.operation)) {
    m.kind = RouteMatch::Kind::no_such_path;
  }
  switch (m.kind) {
    case RouteMatch::Kind::no_such_path:
      out.response = render(MatrixError(ErrCode::unrecognized, "Unrecognized request"), "unknown");
      break;
    case RouteMatch::Kind::wrong_method: {
      auto r = render(MatrixError(ErrCode::method_not_allowed, "Method not allowed for this path"), "unknown");
      std::string allow;
      for (auto method_name : m.allowed_methods) {
        allow += allow.empty() ? "" : ", ";
        allow += method_name;
      }
      r.headers.emplace_back("Allow", allow);
      out.response = std::move(r);
      break;
    }
    case RouteMatch::Kind::bad_encoding:
      out.response = render(MatrixError(ErrCode::invalid_param, "Malformed percent-encoding or UTF-8 in the path"),
                            "unknown");
      break;
    case RouteMatch::Kind::found:
      if (!m.operation->has_handler()) {
        // Not implemented yet: the coverage report counts it as such.
        out.response = render(MatrixError(ErrCode::unrecognized, "Unrecognized request"), m.operation->operation_id);
      }
      break;
  }
  return out;
}

ApiResponse Dispatcher::run(const ApiRequest& req, RouteMatch& match) const {
  const Operation& op = *match.operation;
  // Work queued for a background worker by a handler that made no notify() of its own.
  struct FlushQueued {
    rooms::Notifier& notifier;
    ~FlushQueued() { notifier.flush_queued(); }
  } flush{services_.notifier};
  try {
    auto query = parse_query(req.query);
    if (!query) {
      throw MatrixError(ErrCode::invalid_param, "Malformed percent-encoding or UTF-8 in the query string");
    }
    RequestContext ctx{req, op, services_, std::move(match.params), std::move(*query), std::nullopt, std::nullopt};
    authenticate(ctx);
    if (ctx.origin && services_.origin_seen) {
      services_.origin_seen(*ctx.origin);
    }
    if (ctx.principal && ctx.principal->is_guest && !guest_may_call(op.operation_id)) {
      throw MatrixError(ErrCode::guest_access_forbidden, "Guest accounts cannot use this endpoint");
    }
    if (op.rate_limited && !exempt_from_rate_limits(ctx)) {
      const std::string& caller = ctx.principal ? ctx.principal->user_id : req.remote_address;
      if (auto wait_ms = services_.rate_limiter.acquire(op.operation_id, caller)) {
        throw MatrixError(ErrCode::limit_exceeded, "Too many requests",
                          nlohmann::json{{"retry_after_ms", *wait_ms}});
      }
    }
    ApiResponse r = op.invoke(ctx);
    r.endpoint = op.operation_id;
    return r;
  } catch (const MatrixError& e) {
    return render(e, op.operation_id);
  } catch (const rooms::RoomError& e) {
    return render(to_matrix_error(e), op.operation_id);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ranvier: %.*s failed: %s\n", static_cast<int>(op.operation_id.size()),
                 op.operation_id.data(), e.what());
    return render(MatrixError(ErrCode::internal, "Internal server error"), op.operation_id);
  }
}

std::optional<ApiResponse> Dispatcher::handle_inline(const ApiRequest& req) const {
  auto routed = route(req);
  std::optional<ApiResponse> r = std::move(routed.response);
  if (!r && runs_inline(routed.match.operation->operation_id)) {
    r = run(req, routed.match);
  }
  if (r && req.on_client_listener) {
    add_cors(*r);
  }
  return r;
}

ApiResponse Dispatcher::handle(const ApiRequest& req) const {
  auto routed = route(req);
  ApiResponse r = routed.response ? std::move(*routed.response) : run(req, routed.match);
  finish(req, r);
  return r;
}

void Dispatcher::finish(const ApiRequest& req, ApiResponse& r) const {
  if (r.long_poll) {
    // The answer that ends the wait gets the same treatment as an immediate one: errors
    // rendered, endpoint named, CORS headers added.
    const auto endpoint = r.endpoint;
    r.long_poll->resume = [this, &req, endpoint, resume = std::move(r.long_poll->resume)](bool at_deadline) {
      ApiResponse again;
      try {
        again = resume(at_deadline);
      } catch (const MatrixError& e) {
        again = render(e, endpoint);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "ranvier: %.*s failed: %s\n", static_cast<int>(endpoint.size()), endpoint.data(),
                     e.what());
        again = render(MatrixError(ErrCode::internal, "Internal server error"), endpoint);
      }
      again.endpoint = endpoint;
      finish(req, again);
      return again;
    };
    return;
  }
  if (req.on_client_listener) {
    add_cors(r);
  }
}

}  // namespace ranvier::api
