#include "appservice/calls.hpp"

#include "core/percent_encoding.hpp"
#include "http/client.hpp"
#include "push/gateway_http.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::appservice {
namespace {

constexpr std::string_view v1_prefix = "/_matrix/app/v1";

CallOutcome call_once(http::Client& client, const Registration& service, std::string_view method,
                      std::string_view path, const std::string& json_body) {
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
}

}  // namespace

std::optional<std::string> legacy_path(std::string_view path) {
  if (!path.starts_with(v1_prefix) || path == "/_matrix/app/v1/ping") {
    return std::nullopt;
  }
  const auto rest = path.substr(v1_prefix.size());
  if (rest.starts_with("/thirdparty/")) {
    return "/_matrix/app/unstable" + std::string(rest);
  }
  return std::string(rest);
}

bool route_unknown(const CallOutcome& outcome) {
  if (outcome.failure != CallFailure::none) {
    return false;
  }
  if (outcome.status == 405) {
    return true;
  }
  if (outcome.status != 404) {
    return false;
  }
  const auto body = nlohmann::json::parse(outcome.body, nullptr, false);
  const auto errcode = body.is_object() ? body.value("errcode", "") : std::string();
  return errcode.empty() || errcode == "M_UNRECOGNIZED";
}

Caller http_caller(http::Client& client) {
  return [&client](const Registration& service, std::string_view method, std::string_view path,
                   const std::string& json_body) {
    auto outcome = call_once(client, service, method, path, json_body);
    if (route_unknown(outcome)) {
      if (const auto legacy = legacy_path(path)) {
        // The legacy routes took the token as a query parameter.
        const auto separator = legacy->find('?') == std::string::npos ? "?" : "&";
        return call_once(client, service, method,
                         *legacy + separator + "access_token=" + core::percent_encode(service.hs_token), json_body);
      }
    }
    return outcome;
  };
}

}  // namespace ranvier::appservice
