#pragma once
// Everything outbound federation needs, built once from the configuration: the HTTP client,
// discovery (system DNS, .well-known over HTTPS, the override map), the signed client and the
// key ring. The app owns one; handlers reach its parts through api::Services.

#include "core/signing.hpp"
#include "federation/discovery.hpp"
#include "federation/federation_client.hpp"
#include "federation/key_fetcher.hpp"
#include "federation/key_ring.hpp"
#include "federation/system_dns.hpp"
#include "federation/well_known_fetcher.hpp"
#include "http/client.hpp"

#include <memory>

namespace ranvier::config {
struct Federation;
}

namespace ranvier::federation {

class FederationStack {
 public:
  /// Throws http::ClientSetupError when `settings.ca_file` cannot be loaded. `keys` stores
  /// fetched keys and must outlive the stack.
  FederationStack(const config::Federation& settings, std::string server_name, core::SigningKey signing_key,
                  KeyStore& keys);

  FederationClient& client() { return client_; }
  KeyRing& key_ring() { return key_ring_; }
  ServerResolver& resolver() { return resolver_; }

 private:
  http::Client http_;
  SystemSrvResolver srv_;
  HttpWellKnownFetcher well_known_;
  ServerResolver resolver_;
  FederationClient client_;
  FederationKeyFetcher key_fetcher_;
  KeyRing key_ring_;
};

}  // namespace ranvier::federation
