// GET /_matrix/federation/v1/version
// Spec: server-server API, "GET /_matrix/federation/v1/version".

#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::server_server {

ApiResponse getVersion(RequestContext& ctx, const GetVersionRequest& req) {
  return json_response({{"server", {{"name", "Ranvier"}, {"version", RANVIER_VERSION}}}});
}

}  // namespace ranvier::api::server_server
