#include "federation/key_fetcher.hpp"

#include "federation/federation_client.hpp"

namespace ranvier::federation {
namespace {

core::Expected<nlohmann::json, std::string> answer_or_reason(core::Expected<nlohmann::json, FederationError> r) {
  if (!r) {
    return core::fail(describe(r.error()));
  }
  return std::move(*r);
}

}  // namespace

core::Expected<nlohmann::json, std::string> FederationKeyFetcher::server_keys(const std::string& server) {
  return answer_or_reason(client_.request("GET", server, "/_matrix/key/v2/server", nullptr, false));
}

core::Expected<nlohmann::json, std::string> FederationKeyFetcher::notary_query(const std::string& notary,
                                                                               const nlohmann::json& request) {
  return answer_or_reason(client_.request("POST", notary, "/_matrix/key/v2/query", &request, false));
}

}  // namespace ranvier::federation
