#pragma once
// The judgements of `ranvier doctor`, as pure functions from what was observed to a Step with
// its reason and fix. No I/O here, so each rule is unit-tested on its own.

#include "federation/discovery.hpp"
#include "federation/doctor_http.hpp"
#include "federation/doctor_report.hpp"
#include "federation/doctor_tls_probe.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::federation::doctor {

/// What fetching `https://<host>/.well-known/matrix/server` gave.
struct WellKnownFetch {
  enum class Outcome {
    unreachable,       ///< no HTTP answer (DNS, connection, TLS)
    http_error,        ///< an HTTP status other than 200
    invalid_json,      ///< 200 but not a JSON object
    no_server,         ///< no string `m.server`
    invalid_server,    ///< `m.server` is not a server name
    delegated,         ///< `m.server` names a server
  };
  std::string url;
  Outcome outcome = Outcome::unreachable;
  int status = 0;
  std::string detail;    ///< the error, or the value found
  std::string m_server;  ///< when delegated
  /// Unreachable because TLS was refused: something answers there, but not acceptably.
  bool tls_failed = false;
};

/// One SRV query and its answer.
struct SrvQuery {
  std::string name;
  std::vector<SrvRecord> records;
};

/// What discovery looked at on its way to a ResolvedServer.
struct DelegationTrace {
  std::optional<WellKnownFetch> well_known;
  std::vector<SrvQuery> srv;
};

/// How a server name led to where to connect (server-server API, "Resolving server names").
enum class Route { ip_literal, explicit_port, well_known, srv, default_port };

/// The delegation step and the route taken. `connect_to`: where --connect-to sends TCP
/// instead, when it applies.
struct Delegation {
  Step step;
  Route route = Route::default_port;
};
Delegation delegation_step(std::string_view server_name, const DelegationTrace& trace, const ResolvedServer& resolved,
                           const std::optional<std::pair<std::string, std::uint16_t>>& connect_to);

/// The connection step when the probe found no certificate: the reason and the fix that fits
/// the route taken.
Step connection_failed_step(std::string_view server_name, Route route, const ResolvedServer& resolved,
                            const ProbeError& error);

/// The TLS step: chain trusted, name on the certificate, dates. `now_s`: seconds since the epoch.
Step certificate_step(const TlsProbe& probe, std::string_view tls_name, std::int64_t now_s);

/// The keys step from `GET /_matrix/key/v2/server` (status and body): self-signatures,
/// `server_name`, `valid_until_ts` after `now_ms`.
Step key_step(std::string_view server_name, int status, std::string_view body, std::int64_t now_ms);

/// The federation version step from `GET /_matrix/federation/v1/version`.
Step version_step(int status, std::string_view body);

/// The client discovery step (client-server API, "Well-known URIs"): `status` 0 when no HTTP
/// answer came (`error` says why). A missing document is a warning; a broken one a failure.
struct ClientDiscovery {
  Step step;
  std::optional<core::HttpUrl> base_url;  ///< path without trailing slashes ("" for none)
};
ClientDiscovery client_well_known_step(std::string_view url, int status, std::string_view body, std::string_view error);

/// The step for `GET <base_url>/_matrix/client/versions`.
Step client_versions_step(std::string_view url, int status, std::string_view body, std::string_view error);

/// "2026-11-29 14:05:00 UTC" for seconds since the epoch.
std::string utc_time(std::int64_t epoch_s);

}  // namespace ranvier::federation::doctor
