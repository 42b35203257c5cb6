// POST /_matrix/client/v1/appservice/{appserviceId}/ping and
// PUT /_matrix/client/v3/directory/list/appservice/{networkId}/{roomId}
// Spec: client-server API, "Application service ping" (application service API, "Pinging")
// and application service API, "Application service room directories".

#include "api/client/appservice_auth.hpp"
#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "appservice/calls.hpp"
#include "appservice/registry.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace ranvier::api::client_server {

ApiResponse pingAppservice(RequestContext& ctx, const PingAppserviceRequest& req) {
  const auto& service = require_appservice(ctx);
  if (service.id != req.appservice_id) {
    throw MatrixError(ErrCode::forbidden, "This token belongs to another application service");
  }
  if (!service.url) {
    throw MatrixError(ErrCode::url_not_set, "The application service has no URL");
  }
  if (ctx.services.appservice_client == nullptr) {
    throw MatrixError(ErrCode::connection_failed, "This server cannot call application services");
  }
  nlohmann::json body = nlohmann::json::object();
  if (req.transaction_id) {
    body["transaction_id"] = *req.transaction_id;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto outcome =
      appservice::http_caller(*ctx.services.appservice_client)(service, "POST", "/_matrix/app/v1/ping", body.dump());
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  switch (outcome.failure) {
    case appservice::CallFailure::none:
      break;
    case appservice::CallFailure::timeout:
      throw MatrixError(ErrCode::connection_timeout, "The application service did not answer in time");
    case appservice::CallFailure::no_url:
      throw MatrixError(ErrCode::url_not_set, "The application service has no URL");
    case appservice::CallFailure::bad_url:
    case appservice::CallFailure::connection:
      throw MatrixError(ErrCode::connection_failed, "Cannot reach the application service: " + outcome.message);
  }
  if (!outcome.ok()) {
    throw MatrixError(ErrCode::bad_status, "The application service answered with an error",
                      nlohmann::json{{"status", outcome.status}, {"body", outcome.body}});
  }
  return json_response({{"duration_ms", duration}});
}

// Ranvier keeps one room directory: a service's per-network list is the public directory.
ApiResponse updateAppserviceRoomDirectoryVisibility(RequestContext& ctx,
                                                    const UpdateAppserviceRoomDirectoryVisibilityRequest& req) {
  require_appservice(ctx);
  if (req.visibility != "public" && req.visibility != "private") {
    throw MatrixError(ErrCode::invalid_param, "visibility must be public or private");
  }
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    if (!tx.rooms().set_public(req.room_id, req.visibility == "public")) {
      throw MatrixError(ErrCode::not_found, "Unknown room " + req.room_id);
    }
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
