#include "federation/federation_client.hpp"

#include "federation/discovery.hpp"
#include "federation/request_signing.hpp"
#include "http/client.hpp"

namespace ranvier::federation {

using core::fail;

std::string describe(const FederationError& error) {
  switch (error.kind) {
    case FederationError::Kind::bad_destination:
      return "bad destination: " + error.message;
    case FederationError::Kind::unreachable:
      return "unreachable: " + error.message;
    case FederationError::Kind::http:
      return "http " + std::to_string(error.status) + (error.errcode.empty() ? "" : " " + error.errcode) +
             (error.message.empty() ? "" : ": " + error.message);
    case FederationError::Kind::bad_response:
      return "bad response: " + error.message;
  }
  return error.message;
}

FederationClient::FederationClient(std::string origin, core::SigningKey key, ServerResolver& resolver,
                                   http::Client& client)
    : origin_(std::move(origin)), key_(std::move(key)), resolver_(resolver), client_(client) {}

core::Expected<nlohmann::json, FederationError> FederationClient::get(std::string_view destination,
                                                                      std::string_view path_and_query) {
  return request("GET", destination, path_and_query, nullptr);
}

core::Expected<nlohmann::json, FederationError> FederationClient::put(std::string_view destination,
                                                                      std::string_view path_and_query,
                                                                      const nlohmann::json& body) {
  return request("PUT", destination, path_and_query, &body);
}

core::Expected<nlohmann::json, FederationError> FederationClient::post(std::string_view destination,
                                                                       std::string_view path_and_query,
                                                                       const nlohmann::json& body, Deadline deadline) {
  return answer("POST", destination, path_and_query, &body, true, true, deadline);
}

core::Expected<nlohmann::json, FederationError> FederationClient::put_any(std::string_view destination,
                                                                          std::string_view path_and_query,
                                                                          const nlohmann::json& body) {
  return answer("PUT", destination, path_and_query, &body, true, false, std::nullopt);
}

core::Expected<http::ClientResponse, FederationError> FederationClient::get_raw(std::string_view destination,
                                                                               std::string_view path_and_query) {
  return send("GET", destination, path_and_query, nullptr, true);
}

core::Expected<http::ClientResponse, FederationError> FederationClient::send(std::string_view method,
                                                                            std::string_view destination,
                                                                            std::string_view path_and_query,
                                                                            const nlohmann::json* body, bool sign,
                                                                            Deadline deadline) {
  auto where = resolver_.resolve(destination);
  if (!where) {
    return fail(FederationError{FederationError::Kind::bad_destination, 0, "", where.error()});
  }
  http::ClientRequest req;
  req.method = std::string(method);
  req.tls = true;
  req.connect_host = where->connect_host;
  req.port = where->port;
  req.host_header = where->host_header;
  req.tls_name = where->tls_name;
  req.target = std::string(path_and_query);
  req.deadline = deadline;
  if (body != nullptr) {
    req.body = body->dump();
    req.headers.emplace_back("Content-Type", "application/json");
  }
  if (sign) {
    req.headers.emplace_back(
        "Authorization",
        authorization_header(SignedRequest{method, path_and_query, origin_, destination, body}, key_));
  }
  auto response = client_.request(req);
  if (!response) {
    const auto& e = response.error();
    return fail(FederationError{FederationError::Kind::unreachable, 0, std::string(http::to_string(e.kind)),
                                e.message});
  }
  return std::move(*response);
}

core::Expected<nlohmann::json, FederationError> FederationClient::request(std::string_view method,
                                                                          std::string_view destination,
                                                                          std::string_view path_and_query,
                                                                          const nlohmann::json* body, bool sign) {
  return answer(method, destination, path_and_query, body, sign, true, std::nullopt);
}

core::Expected<nlohmann::json, FederationError> FederationClient::answer(std::string_view method,
                                                                         std::string_view destination,
                                                                         std::string_view path_and_query,
                                                                         const nlohmann::json* body, bool sign,
                                                                         bool object_only, Deadline deadline) {
  auto response = send(method, destination, path_and_query, body, sign, deadline);
  if (!response) {
    return fail(response.error());
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status < 200 || response->status >= 300) {
    FederationError error{FederationError::Kind::http, response->status, "", ""};
    if (json.is_object()) {
      if (json.contains("errcode") && json["errcode"].is_string()) {
        error.errcode = json["errcode"].get<std::string>();
      }
      if (json.contains("error") && json["error"].is_string()) {
        error.message = json["error"].get<std::string>();
      }
    }
    return fail(std::move(error));
  }
  if (json.is_discarded() || (object_only && !json.is_object())) {
    return fail(FederationError{FederationError::Kind::bad_response, response->status, "",
                                object_only ? "the answer is not a JSON object" : "the answer is not JSON"});
  }
  return json;
}

}  // namespace ranvier::federation
