#pragma once
// Plain request/response values exchanged between the network layer (server/http, which
// owns Boost.Beast) and the API layer. Nothing here pulls in Asio or Beast.

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

/// One HTTP response.
struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// The operationId that produced it ("unknown" when unrouted), for logs and metrics.
  std::string_view endpoint = "unknown";
};

}  // namespace ranvier::api
