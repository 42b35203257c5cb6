#pragma once
// Plain request/response values exchanged between the network layer (server/http, which
// owns Boost.Beast) and the API layer. Nothing here pulls in Asio or Beast.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::api {

/// One HTTP request as the API layer sees it.
struct ApiRequest {
  std::string method;  ///< "GET", "PUT", …
  std::string path;    ///< raw, still percent-encoded, without the query
  std::string query;   ///< raw text after '?', may be empty
  /// Header names are lower-case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;
  /// What the listener that received it serves (config `listeners[].resources`).
  bool on_federation_listener = false;
  bool on_client_listener = false;
  bool on_metrics_listener = false;

  /// The first header with this lower-case name, or empty.
  std::string_view header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) {
        return v;
      }
    }
    return {};
  }
};

struct ApiResponse;

/// A request that has nothing to answer yet and wants to wait (long-polling /sync). The
/// network layer parks it without holding a worker thread and asks again when woken or at the
/// deadline.
struct LongPoll {
  std::chrono::steady_clock::time_point deadline;
  /// Registers `wake`, to be called at most once from any thread when the answer may have
  /// changed (possibly at once, from inside `arm`). Returns a function that unregisters it.
  std::function<std::function<void()>(std::function<void()> wake)> arm;
  /// Computes the answer again, on a worker thread. `at_deadline` asks for a final answer; without
  /// it the result may carry another LongPoll to keep waiting.
  std::function<ApiResponse(bool at_deadline)> resume;
};

/// One HTTP response.
struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// The operationId that produced it ("unknown" when unrouted), for logs and metrics.
  std::string_view endpoint = "unknown";
  /// Set instead of a body when the handler wants to wait (see LongPoll).
  std::shared_ptr<LongPoll> long_poll{};
};

}  // namespace ranvier::api
