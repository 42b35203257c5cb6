#include "federation/doctor.hpp"

#include "core/identifiers.hpp"
#include "federation/discovery.hpp"
#include "federation/doctor_checks.hpp"
#include "federation/doctor_tls_probe.hpp"
#include "federation/system_dns.hpp"
#include "federation/well_known_fetcher.hpp"
#include "http/client.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::federation::doctor {
namespace {

constexpr int max_redirects = 5;

/// An HTTP answer, or why there was none (status 0).
struct Fetched {
  int status = 0;
  std::string body;
  std::string error;
  bool tls_failed = false;  ///< no answer because the TLS handshake or certificate was refused
};

/// GET `url`, following up to five redirects as remote servers and clients do.
Fetched fetch_following(Transport& transport, core::HttpUrl url) {
  for (int hop = 0; hop <= max_redirects; ++hop) {
    auto response = transport.get(url);
    if (!response) {
      return Fetched{0, "", response.error().message, response.error().kind == http::ClientErrorKind::tls_failed};
    }
    const std::string location(response->header("location"));
    if (response->status >= 300 && response->status < 400 && !location.empty()) {
      std::optional<core::HttpUrl> next = core::parse_http_url(location);
      if (location.starts_with('/')) {
        next = url;
        next->target = location;
      }
      if (!next) {
        return Fetched{response->status, "", "redirect to an unusable location '" + location + "'"};
      }
      url = std::move(*next);
      continue;
    }
    return Fetched{response->status, std::move(response->body), ""};
  }
  return Fetched{0, "", "more than " + std::to_string(max_redirects) + " redirects"};
}

/// SRV look-ups through the system resolver, remembered for the report.
class RecordingSrv final : public SrvResolver {
 public:
  explicit RecordingSrv(DelegationTrace& trace) : trace_(trace) {}
  std::vector<SrvRecord> lookup(const std::string& name) override {
    auto records = system_.lookup(name);
    trace_.srv.push_back(SrvQuery{name, records});
    return records;
  }

 private:
  SystemSrvResolver system_;
  DelegationTrace& trace_;
};

/// Fetches `.well-known/matrix/server` and remembers why it did or did not delegate. The
/// decision itself is parse_well_known_server's, as in the server's own fetcher.
class RecordingWellKnown final : public WellKnownFetcher {
 public:
  RecordingWellKnown(Transport& transport, DelegationTrace& trace) : transport_(transport), trace_(trace) {}
  WellKnownResult fetch(const std::string& hostname) override {
    const core::HttpUrl url{.tls = true, .host = hostname, .port = 443, .target = "/.well-known/matrix/server"};
    WellKnownFetch record;
    record.url = "https://" + url.host_header() + url.target;
    const auto fetched = fetch_following(transport_, url);
    record.status = fetched.status;
    record.detail = fetched.error;
    record.tls_failed = fetched.tls_failed;
    WellKnownResult result;
    if (fetched.status == 0) {
      record.outcome = WellKnownFetch::Outcome::unreachable;
    } else if (fetched.status != 200) {
      record.outcome = WellKnownFetch::Outcome::http_error;
    } else if (auto server = parse_well_known_server(fetched.body)) {
      record.outcome = WellKnownFetch::Outcome::delegated;
      record.m_server = *server;
      result.server = std::move(server);
    } else {
      classify_refusal(fetched.body, record);
    }
    trace_.well_known = std::move(record);
    return result;
  }

 private:
  static void classify_refusal(const std::string& body, WellKnownFetch& record) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object()) {
      record.outcome = WellKnownFetch::Outcome::invalid_json;
      record.detail = "the body is not a JSON object";
    } else if (!json.contains("m.server") || !json["m.server"].is_string()) {
      record.outcome = WellKnownFetch::Outcome::no_server;
      record.detail = "it has no string \"m.server\"";
    } else {
      record.outcome = WellKnownFetch::Outcome::invalid_server;
      record.detail = "\"m.server\" '" + json["m.server"].get<std::string>() + "' is not a server name";
    }
  }

  Transport& transport_;
  DelegationTrace& trace_;
};

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Step skipped(std::string name, std::string reason) { return Step{std::move(name), Status::skip, std::move(reason), ""}; }

/// The federation API checks over the client, addressed exactly as discovery said.
void check_federation_api(Report& report, Transport& transport, const ResolvedServer& resolved,
                          std::string_view server_name, std::int64_t now_ms) {
  const auto get = [&](const char* target) {
    return transport.get(resolved.connect_host, resolved.port, resolved.host_header, resolved.tls_name, target);
  };
  if (auto keys = get("/_matrix/key/v2/server")) {
    report.add(key_step(server_name, keys->status, keys->body, now_ms));
  } else {
    report.add(Step{"keys", Status::fail, "GET /_matrix/key/v2/server failed: " + keys.error().message,
                    "the federation listener must answer HTTPS requests at this address"});
  }
  if (auto version = get("/_matrix/federation/v1/version")) {
    report.add(version_step(version->status, version->body));
  } else {
    report.add(Step{"version", Status::fail, "GET /_matrix/federation/v1/version failed: " + version.error().message,
                    "the federation listener must answer HTTPS requests at this address"});
  }
}

/// Client discovery: `https://<hostname>/.well-known/matrix/client`, then `/versions` at its
/// base URL.
void check_client_discovery(Report& report, Transport& transport, const std::string& hostname) {
  const core::HttpUrl url{.tls = true, .host = hostname, .port = 443, .target = "/.well-known/matrix/client"};
  const std::string text = "https://" + url.host_header() + url.target;
  const auto fetched = fetch_following(transport, url);
  auto discovery = client_well_known_step(text, fetched.status, fetched.body, fetched.error);
  report.add(discovery.step);
  if (!discovery.base_url) {
    return;
  }
  core::HttpUrl versions = *discovery.base_url;
  versions.target += "/_matrix/client/versions";
  const std::string versions_text = (versions.tls ? "https://" : "http://") + versions.host_header() + versions.target;
  const auto answer = fetch_following(transport, versions);
  report.add(client_versions_step(versions_text, answer.status, answer.body, answer.error));
}

}  // namespace

Report run(std::string_view server_name, const Options& options) {
  Report report;
  report.server_name = std::string(server_name);
  const auto now_ms = options.now_ms ? options.now_ms() : system_now_ms();

  http::ClientOptions client_options;
  client_options.ca_file = options.ca_file;
  client_options.connect_timeout = options.timeout;
  client_options.request_timeout = options.timeout;
  http::Client client(client_options);
  Transport transport(client, options.connect_to);

  DelegationTrace trace;
  RecordingSrv srv(trace);
  RecordingWellKnown well_known(transport, trace);
  // No overrides: the point is to see what any remote server sees.
  ServerResolver resolver({}, srv, well_known, [now_ms] { return now_ms; });
  const auto resolved = resolver.resolve(server_name);
  const auto name = core::parse_server_name(server_name);
  if (!resolved || !name) {
    report.add(Step{"server-name", Status::fail, resolved ? "not a server name" : resolved.error(),
                    "a server name is a host name or IP literal with an optional port (appendices, \"Server "
                    "Name\")"});
    return report;
  }

  const auto destination = transport.destination(resolved->connect_host, resolved->port);
  std::optional<std::pair<std::string, std::uint16_t>> redirected;
  if (destination != std::pair{resolved->connect_host, resolved->port}) {
    redirected = destination;
  }
  const auto delegation = delegation_step(server_name, trace, *resolved, redirected);
  report.add(delegation.step);

  auto probe = probe_tls(ProbeTarget{destination.first, destination.second, resolved->tls_name},
                         ProbeOptions{options.ca_file, options.timeout});
  if (!probe) {
    auto failed = connection_failed_step(server_name, delegation.route, *resolved, probe.error());
    const bool tls_failed = failed.name == "tls";
    if (tls_failed) {
      report.add(Step{"connect", Status::pass, "TCP connection accepted", ""});
    }
    report.add(std::move(failed));
    if (!tls_failed) {
      report.add(skipped("tls", "no connection"));
    }
    const char* why = tls_failed ? "no TLS connection" : "no connection";
    report.add(skipped("keys", why));
    report.add(skipped("version", why));
  } else {
    report.add(Step{"connect", Status::pass, "connected to " + probe->address, ""});
    auto certificate = certificate_step(*probe, resolved->tls_name, now_ms / 1000);
    const bool trusted = certificate.status != Status::fail;
    report.add(std::move(certificate));
    if (trusted) {
      check_federation_api(report, transport, *resolved, server_name, now_ms);
    } else {
      report.add(skipped("keys", "remote servers refuse this TLS connection"));
      report.add(skipped("version", "remote servers refuse this TLS connection"));
    }
  }

  std::string hostname = name->host;
  if (hostname.starts_with('[')) {
    hostname = hostname.substr(1, hostname.size() - 2);
  }
  check_client_discovery(report, transport, hostname);
  return report;
}

}  // namespace ranvier::federation::doctor
