// GET /_matrix/client/v3/thirdparty/protocols, /protocol/{protocol}, /location[/{protocol}],
// /user[/{protocol}]
// Spec: client-server API, "Third-party Networks": answered by the application services that
// bridge the protocol (server/appservice/thirdparty.hpp).

#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "appservice/calls.hpp"
#include "appservice/registry.hpp"
#include "appservice/thirdparty.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {
namespace {

/// The registry and a caller; an empty registry when no service is registered.
struct Bridges {
  const appservice::Registry& registry;
  appservice::Caller caller;
};

Bridges bridges_of(const RequestContext& ctx) {
  static const appservice::Registry none;
  if (ctx.services.appservices == nullptr || ctx.services.appservice_client == nullptr) {
    return {none, {}};
  }
  return {*ctx.services.appservices, appservice::http_caller(*ctx.services.appservice_client)};
}

ApiResponse lookup_answer(const RequestContext& ctx, std::string_view kind, std::optional<std::string_view> protocol,
                          const std::vector<std::pair<std::string, std::string>>& fields) {
  const auto bridges = bridges_of(ctx);
  auto found = bridges.registry.empty() ? nlohmann::json::array()
                                        : appservice::lookup(bridges.registry, bridges.caller, kind, protocol, fields);
  if (found.empty()) {
    throw MatrixError(ErrCode::not_found, "Nothing found");
  }
  return json_response(found);
}

}  // namespace

ApiResponse getProtocols(RequestContext& ctx, const GetProtocolsRequest& req) {
  const auto bridges = bridges_of(ctx);
  if (bridges.registry.empty()) {
    return json_response(nlohmann::json::object());
  }
  return json_response(appservice::all_protocols(bridges.registry, bridges.caller));
}

ApiResponse getProtocolMetadata(RequestContext& ctx, const GetProtocolMetadataRequest& req) {
  const auto bridges = bridges_of(ctx);
  auto metadata = bridges.registry.empty() ? std::nullopt
                                           : appservice::protocol_metadata(bridges.registry, bridges.caller, req.protocol);
  if (!metadata) {
    throw MatrixError(ErrCode::not_found, "No application service bridges " + req.protocol);
  }
  return json_response(*metadata);
}

ApiResponse queryLocationByProtocol(RequestContext& ctx, const QueryLocationByProtocolRequest& req) {
  return lookup_answer(ctx, "location", req.protocol, req.fields);
}

ApiResponse queryUserByProtocol(RequestContext& ctx, const QueryUserByProtocolRequest& req) {
  return lookup_answer(ctx, "user", req.protocol, req.fields);
}

ApiResponse queryLocationByAlias(RequestContext& ctx, const QueryLocationByAliasRequest& req) {
  return lookup_answer(ctx, "location", std::nullopt, {{"alias", req.alias}});
}

ApiResponse queryUserByID(RequestContext& ctx, const QueryUserByIDRequest& req) {
  return lookup_answer(ctx, "user", std::nullopt, {{"userid", req.userid}});
}

}  // namespace ranvier::api::client_server
