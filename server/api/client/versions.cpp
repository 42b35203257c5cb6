// GET /_matrix/client/versions
// Spec: client-server API, "Capabilities negotiation" / "GET /_matrix/client/versions".

#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {

ApiResponse getVersions(RequestContext& ctx, const GetVersionsRequest& req) {
  // The spec releases whose client-server API Ranvier follows; the list is static, so it is
  // built once. The response is the same with or without an access token.
  static const std::string body = nlohmann::json{
      {"versions", {"v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11",
                    "v1.12", "v1.13", "v1.14", "v1.15", "v1.16", "v1.17", "v1.18", "v1.19"}},
      {"unstable_features", nlohmann::json::object()},
  }.dump();
  ApiResponse r;
  r.body = body;
  return r;
}

}  // namespace ranvier::api::client_server
