#pragma once
// Fetches `https://<host>/.well-known/matrix/server` (spec: server-server API, "Resolving
// server names", step 3) with the outbound HTTP client, following up to five redirects.

#include "federation/discovery.hpp"

namespace ranvier::http {
class Client;
}

namespace ranvier::federation {

class HttpWellKnownFetcher final : public WellKnownFetcher {
 public:
  explicit HttpWellKnownFetcher(http::Client& client) : client_(client) {}
  WellKnownResult fetch(const std::string& hostname) override;

 private:
  http::Client& client_;
};

/// Reads a `.well-known/matrix/server` body: the `m.server` value if it is a valid server
/// name, else nullopt. Pure; exposed for tests.
std::optional<std::string> parse_well_known_server(std::string_view body);

}  // namespace ranvier::federation
