#include "appservice/calls.hpp"

#include "http/client.hpp"
#include "push/gateway_http.hpp"

namespace ranvier::appservice {

Caller http_caller(http::Client& client) {
  return [&client](const Registration& service, std::string_view method, std::string_view path,
                   const std::string& json_body) {
    if (!service.url) {
      return CallOutcome{CallFailure::no_url, 0, "", "the application service has no URL"};
    }
    std::string base = *service.url;
    while (base.ends_with('/')) {
      base.pop_back();
    }
    // The push gateway's URL rules are the same: http(s), host, optional port, path.
    const auto url = push::parse_gateway_url(base + std::string(path));
    if (!url) {
      return CallOutcome{CallFailure::bad_url, 0, "", "unusable URL " + *service.url};
    }
    http::ClientRequest request{.method = std::string(method),
                                .tls = url->tls,
                                .connect_host = url->host,
                                .port = url->port,
                                .host_header = url->host_header,
                                .tls_name = "",
                                .target = url->target,
                                .headers = {{"Authorization", "Bearer " + service.hs_token}},
                                .body = json_body};
    if (!json_body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
    }
    auto response = client.request(request);
    if (!response) {
      const auto& error = response.error();
      const auto failure = error.kind == http::ClientErrorKind::timeout ? CallFailure::timeout : CallFailure::connection;
      return CallOutcome{failure, 0, "", std::string(http::to_string(error.kind)) + ": " + error.message};
    }
    return CallOutcome{CallFailure::none, response->status, std::move(response->body), ""};
  };
}

}  // namespace ranvier::appservice
