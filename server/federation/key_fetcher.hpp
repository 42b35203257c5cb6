#pragma once
// KeyFetcher over the federation client: `GET /_matrix/key/v2/server` and
// `POST /_matrix/key/v2/query` (unsigned: the key API needs no request signatures).

#include "federation/key_ring.hpp"

namespace ranvier::federation {

class FederationClient;

class FederationKeyFetcher final : public KeyFetcher {
 public:
  explicit FederationKeyFetcher(FederationClient& client) : client_(client) {}
  core::Expected<nlohmann::json, std::string> server_keys(const std::string& server) override;
  core::Expected<nlohmann::json, std::string> notary_query(const std::string& notary,
                                                           const nlohmann::json& request) override;

 private:
  FederationClient& client_;
};

}  // namespace ranvier::federation
