#include "federation/federation_stack.hpp"

#include "config/config.hpp"

#include <chrono>

namespace ranvier::federation {
namespace {

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::ClientOptions client_options(const config::Federation& settings) {
  http::ClientOptions o;
  o.ca_file = settings.ca_file;
  o.verify_tls = settings.verify_tls;
  o.request_timeout = std::chrono::milliseconds(settings.request_timeout_ms);
  o.connect_timeout = std::min(o.connect_timeout, o.request_timeout);
  return o;
}

KeyRingOptions key_ring_options(const config::Federation& settings) {
  KeyRingOptions o;
  o.notaries = settings.trusted_key_servers;
  o.now_ms = wall_clock_ms;
  return o;
}

}  // namespace

FederationStack::FederationStack(const config::Federation& settings, std::string server_name,
                                 core::SigningKey signing_key, KeyStore& keys)
    : http_(client_options(settings)),
      well_known_(http_),
      resolver_(settings.server_overrides, srv_, well_known_, wall_clock_ms),
      client_(server_name, signing_key, resolver_, http_),
      key_fetcher_(client_),
      key_ring_(server_name, {signing_key}, keys, key_fetcher_, key_ring_options(settings)) {}

}  // namespace ranvier::federation
