// GET /_matrix/key/v2/server, GET /_matrix/key/v2/query/{serverName},
// POST /_matrix/key/v2/query
// Spec: server-server API, "Retrieving server keys" (publishing keys, querying keys through
// another server).
//
// As a notary Ranvier answers with its own key document and, for other servers, the last
// document it fetched from them (through the key ring: fetched again when missing or not valid
// long enough, a stale copy served when the server cannot be reached). Each is co-signed with
// our key. Servers it knows nothing of are left out of `server_keys`, as the spec allows.

#include "api/handlers_server_server.hpp"
#include "api/clock.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "core/server_keys.hpp"
#include "federation/key_ring.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

namespace ranvier::api::server_server {
namespace {

/// How long others may cache our key document (Synapse's default refresh interval).
constexpr std::int64_t key_document_lifetime_ms = 24LL * 60 * 60 * 1000;

nlohmann::json own_key_document(const ServerIdentity& identity) {
  return core::build_server_keys(identity.server_name, {identity.signing_key}, {},
                                 now_ms() + key_document_lifetime_ms);
}

/// The key documents asked for (server name → minimum_valid_until_ts), co-signed as notary.
nlohmann::json notary_answer(Services& services, const std::map<std::string, std::int64_t>& servers) {
  const ServerIdentity& identity = services.identity;
  std::vector<nlohmann::json> documents;
  for (const auto& [server, minimum_valid_until_ts] : servers) {
    if (server == identity.server_name) {
      auto document = own_key_document(identity);
      if (document["valid_until_ts"].get<std::int64_t>() >= minimum_valid_until_ts) {
        documents.push_back(std::move(document));
      }
    } else if (services.key_ring != nullptr && core::is_valid_server_name(server)) {
      if (auto document = services.key_ring->key_document(server, minimum_valid_until_ts)) {
        documents.push_back(std::move(*document));
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
  return json_response(notary_answer(ctx.services, {{req.server_name, req.minimum_valid_until_ts.value_or(0)}}));
}

ApiResponse bulkPerspectivesKeyQuery(RequestContext& ctx, const BulkPerspectivesKeyQueryRequest& req) {
  std::map<std::string, std::int64_t> servers;
  for (const auto& [server, keys] : req.server_keys.items()) {
    auto& minimum = servers[server];
    if (!keys.is_object()) {
      continue;
    }
    for (const auto& [key_id, criteria] : keys.items()) {
      if (criteria.is_object() && criteria.contains("minimum_valid_until_ts") &&
          criteria["minimum_valid_until_ts"].is_number_integer()) {
        minimum = std::max(minimum, criteria["minimum_valid_until_ts"].get<std::int64_t>());
      }
    }
  }
  return json_response(notary_answer(ctx.services, servers));
}

}  // namespace ranvier::api::server_server
