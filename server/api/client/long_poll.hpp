#pragma once
// Long-polling for the endpoints that wait for something new (/sync, the deprecated /events):
// the request is parked on the network layer (api::LongPoll) until the notifier moves past the
// generation the handler read before looking, or until the deadline, and is then answered again
// on a worker thread.

#include "api/context.hpp"
#include "api/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>

namespace ranvier::api::client_server {

/// Recomputes a parked request's answer; `at_deadline` asks for a final one. The context is a
/// fresh one over the same request, services, operation and principal.
using Recompute = std::function<ApiResponse(RequestContext& ctx, bool at_deadline)>;

/// A response that parks the request until the notifier's generation passes `generation` or
/// `deadline` passes, then answers with `recompute` (which may park again).
ApiResponse park_until_notified(RequestContext& ctx, std::int64_t generation,
                                std::chrono::steady_clock::time_point deadline, Recompute recompute);

}  // namespace ranvier::api::client_server
