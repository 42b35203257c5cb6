// GET /_matrix/client/v3/admin/whois/{userId}
// Spec: client-server API, "Server administration". The spec leaves who may ask to the server:
// here the user about themselves, or a server admin about any local user. Each device is one
// session whose connection is its last recorded request (api/account_moderation.cpp records
// one per device every few minutes).

#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {
namespace {

nlohmann::json connections_of(const storage::Device& device) {
  auto connections = nlohmann::json::array();
  if (!device.last_seen_ts) {
    return connections;
  }
  nlohmann::json connection{{"last_seen", *device.last_seen_ts}};
  if (device.last_seen_ip) {
    connection["ip"] = *device.last_seen_ip;
  }
  if (device.last_seen_user_agent && !device.last_seen_user_agent->empty()) {
    connection["user_agent"] = *device.last_seen_user_agent;
  }
  connections.push_back(std::move(connection));
  return connections;
}

}  // namespace

ApiResponse getWhoIs(RequestContext& ctx, const GetWhoIsRequest& req) {
  const Principal& caller = *ctx.principal;
  if (req.user_id != caller.user_id && !caller.is_admin) {
    throw MatrixError(ErrCode::forbidden, "You may only look up yourself unless you are a server admin");
  }
  const auto parsed = core::parse_user_id(req.user_id);
  if (!parsed) {
    throw MatrixError(ErrCode::invalid_param, "Not a user ID: " + req.user_id);
  }
  if (parsed->server_name != ctx.services.config.server_name) {
    throw MatrixError(ErrCode::invalid_param, "Can only look up local users");
  }
  return json_response(ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto account = tx.accounts().get(req.user_id);
    if (!account) {
      throw MatrixError(ErrCode::not_found, "User not found");
    }
    auto devices = nlohmann::json::object();
    for (const auto& device : tx.devices().list(req.user_id)) {
      devices[device.device_id] = {{"sessions", nlohmann::json::array({{{"connections", connections_of(device)}}})}};
    }
    return nlohmann::json{{"user_id", req.user_id}, {"devices", std::move(devices)}};
  }));
}

}  // namespace ranvier::api::client_server
