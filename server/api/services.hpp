#pragma once
// The parts of the running server that handlers use. Built once by the app at start-up.

#include <functional>
#include <string>

namespace ranvier::config {
struct Config;
}
namespace ranvier::metrics {
class Registry;
}
namespace ranvier::storage {
class Database;
}
namespace ranvier::federation {
class FederationClient;
class KeyRing;
}
namespace ranvier::http {
class Client;
}
namespace ranvier::media {
class MediaRepository;
}
namespace ranvier::appservice {
class Registry;
}
namespace ranvier::rooms {
class EventPipeline;
class Notifier;
class Presence;
class Typing;
}

namespace ranvier::api {

class NonceStore;
class RateLimiter;
struct ServerIdentity;

struct Services {
  const config::Config& config;
  storage::Database& database;
  metrics::Registry& metrics;
  RateLimiter& rate_limiter;
  const ServerIdentity& identity;
  NonceStore& nonces;
  const rooms::EventPipeline& pipeline;
  /// Wakes long-polling /sync requests; bumped after every commit they may care about.
  rooms::Notifier& notifier;
  rooms::Typing& typing;
  rooms::Presence& presence;
  /// Other servers' signing keys (verifying X-Matrix requests and event signatures; notary
  /// answers). Null only in tools that serve no federation.
  federation::KeyRing* key_ring = nullptr;
  /// Signed requests to other servers.
  federation::FederationClient* federation_client = nullptr;
  /// Told the origin of every verified federation request: a server that talks to us is up,
  /// so the outbound queue stops backing it off.
  std::function<void(const std::string& origin)> origin_seen{};
  /// The content repository. Null only in tools that serve no media.
  media::MediaRepository* media = nullptr;
  /// Fetches web URLs for the content repository (URL previews, media redirects; see
  /// api/client/media_fetch.hpp). Null in tools that fetch nothing.
  http::Client* url_preview_client = nullptr;
  /// Registered application services (config `app_services`); null or empty when none.
  const appservice::Registry* appservices = nullptr;
  /// Calls application services (queries, ping); null when none is registered.
  http::Client* appservice_client = nullptr;
  /// Calls the identity servers clients name (third-party invites); null in tools.
  http::Client* identity_client = nullptr;
};

}  // namespace ranvier::api
