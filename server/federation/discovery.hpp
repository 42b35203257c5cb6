#pragma once
// Server discovery (spec: server-server API, "Resolving server names"): from a server name to
// where to connect, the Host header and the TLS name. DNS and the `.well-known` fetch sit
// behind small interfaces so tests can substitute them; the rules and the caching live here.

#include "core/expected.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::federation {

/// Where to send requests for a server.
struct ResolvedServer {
  std::string connect_host;  ///< IP literal (no brackets) or host name to look up (AAAA/A)
  std::uint16_t port = 8448;
  std::string host_header;   ///< the `Host` header
  std::string tls_name;      ///< SNI and the name the certificate must carry (IP: no SNI)

  bool operator==(const ResolvedServer&) const = default;
};

/// One SRV answer.
struct SrvRecord {
  std::string target;
  std::uint16_t port = 0;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
};

/// SRV look-ups.
class SrvResolver {
 public:
  virtual ~SrvResolver() = default;
  /// The records for `name` (e.g. `_matrix-fed._tcp.example.org`); empty when there are none
  /// or the look-up failed.
  virtual std::vector<SrvRecord> lookup(const std::string& name) = 0;
};

/// The outcome of fetching `https://<host>/.well-known/matrix/server`.
struct WellKnownResult {
  /// The `m.server` value; nullopt for any failure (no answer, non-200, bad JSON, no or an
  /// invalid `m.server`).
  std::optional<std::string> server;
  /// From the response's Cache-Control; nullopt when it says nothing usable.
  std::optional<std::chrono::seconds> max_age;
};

/// Fetches a host's `.well-known/matrix/server` (following redirects).
class WellKnownFetcher {
 public:
  virtual ~WellKnownFetcher() = default;
  virtual WellKnownResult fetch(const std::string& hostname) = 0;
};

/// The `max-age` of a Cache-Control header value (0 for `no-store` / `no-cache`); nullopt when
/// absent or unreadable.
std::optional<std::chrono::seconds> cache_max_age(std::string_view cache_control);

/// Caching rules for `.well-known` answers (the spec's recommendations).
struct WellKnownCachePolicy {
  std::chrono::seconds default_ttl = std::chrono::hours(24);
  std::chrono::seconds max_ttl = std::chrono::hours(48);
  std::chrono::seconds error_ttl = std::chrono::hours(1);
  /// SRV answers (found or not) are kept this long, so busy destinations do not cost two
  /// DNS queries per request.
  std::chrono::seconds srv_ttl = std::chrono::minutes(10);
};

/// Resolves server names. Thread-safe; look-ups happen outside the lock.
class ServerResolver {
 public:
  /// `overrides`: server name → "host:port" used instead of discovery (config
  /// `federation.server_overrides`). `now_ms`: the clock (replaceable in tests).
  ServerResolver(std::map<std::string, std::string, std::less<>> overrides, SrvResolver& srv,
                 WellKnownFetcher& well_known, std::function<std::int64_t()> now_ms,
                 WellKnownCachePolicy policy = {});

  /// Where to reach `server_name`; an error message when the name is not a server name.
  core::Expected<ResolvedServer, std::string> resolve(std::string_view server_name);

  /// Forgets cached `.well-known` and SRV answers for `hostname` (e.g. after a destination
  /// kept failing).
  void forget(std::string_view hostname);

 private:
  struct CachedWellKnown {
    std::optional<std::string> server;
    std::int64_t expires_ms = 0;
  };
  std::optional<std::string> well_known(const std::string& hostname);
  /// SRV `_matrix-fed._tcp` then `_matrix._tcp` for `hostname`; nullopt when neither exists.
  std::optional<SrvRecord> srv(const std::string& hostname);

  std::map<std::string, std::string, std::less<>> overrides_;
  SrvResolver& srv_;
  WellKnownFetcher& well_known_;
  std::function<std::int64_t()> now_ms_;
  WellKnownCachePolicy policy_;
  std::mutex mutex_;
  std::map<std::string, CachedWellKnown, std::less<>> cache_;
  struct CachedSrv {
    std::vector<SrvRecord> records;
    std::int64_t expires_ms = 0;
  };
  /// SRV answers by full query name.
  std::map<std::string, CachedSrv, std::less<>> srv_cache_;
  std::vector<SrvRecord> srv_records(const std::string& name);
};

}  // namespace ranvier::federation
