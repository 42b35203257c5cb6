// GET /_matrix/key/v2/server, GET /_matrix/key/v2/query/{serverName},
// POST /_matrix/key/v2/query
// Spec: server-server API, "Retrieving server keys" (publishing keys, querying keys through
// another server).
//
// As a notary Ranvier answers for the keys it holds. Until remote keys are fetched and stored
// (the federation work), that is its own key: queries about other servers get an empty
// `server_keys` list, which the spec allows for servers whose keys the notary cannot supply.

#include "api/handlers_server_server.hpp"
#include "api/clock.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/server_keys.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace ranvier::api::server_server {
namespace {

/// How long others may cache our key document (Synapse's default refresh interval).
constexpr std::int64_t key_document_lifetime_ms = 24LL * 60 * 60 * 1000;

nlohmann::json own_key_document(const ServerIdentity& identity) {
  return core::build_server_keys(identity.server_name, {identity.signing_key}, {},
                                 now_ms() + key_document_lifetime_ms);
}

/// Our own document, co-signed as notary, if `server_name` is us and it satisfies `minimum`.
nlohmann::json notary_answer(const ServerIdentity& identity, const std::vector<std::string>& servers,
                             std::int64_t minimum_valid_until_ts) {
  std::vector<nlohmann::json> documents;
  for (const auto& server : servers) {
    if (server == identity.server_name) {
      auto document = own_key_document(identity);
      if (document["valid_until_ts"].get<std::int64_t>() >= minimum_valid_until_ts) {
        documents.push_back(std::move(document));
      }
    }
  }
  return core::build_notary_response(std::move(documents), identity.server_name, {identity.signing_key});
}

}  // namespace

ApiResponse getServerKey(RequestContext& ctx, const GetServerKeyRequest& req) {
  return json_response(own_key_document(ctx.services.identity));
}

ApiResponse perspectivesKeyQuery(RequestContext& ctx, const PerspectivesKeyQueryRequest& req) {
  return json_response(notary_answer(ctx.services.identity, {req.server_name}, req.minimum_valid_until_ts.value_or(0)));
}

ApiResponse bulkPerspectivesKeyQuery(RequestContext& ctx, const BulkPerspectivesKeyQueryRequest& req) {
  std::vector<std::string> servers;
  std::int64_t minimum = 0;
  for (const auto& [server, keys] : req.server_keys.items()) {
    servers.push_back(server);
    for (const auto& [key_id, criteria] : keys.items()) {
      if (criteria.is_object() && criteria.contains("minimum_valid_until_ts") &&
          criteria["minimum_valid_until_ts"].is_number_integer()) {
        minimum = std::max(minimum, criteria["minimum_valid_until_ts"].get<std::int64_t>());
      }
    }
  }
  return json_response(notary_answer(ctx.services.identity, servers, minimum));
}

}  // namespace ranvier::api::server_server
