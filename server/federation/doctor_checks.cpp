#include "federation/doctor_checks.hpp"

#include "core/identifiers.hpp"
#include "core/server_keys.hpp"

#include <nlohmann/json.hpp>
#include <openssl/x509_vfy.h>

#include <arpa/inet.h>

#include <ctime>

namespace ranvier::federation::doctor {
namespace {

constexpr std::int64_t day_s = 24 * 3600;
/// A certificate this close to its end gets a warning: renewals that fail tend to be noticed
/// only when federation stops.
constexpr std::int64_t expiry_warning_s = 14 * day_s;

bool is_ip_host(const std::string& host) {
  in_addr v4{};
  return host.starts_with('[') || inet_pton(AF_INET, host.c_str(), &v4) == 1;
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string endpoint(std::string_view host, std::uint16_t port) {
  const std::string h(host);
  return (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : std::string(separator)) + item;
  }
  return out;
}

std::string well_known_sample(std::string_view host) {
  return "serve https://" + std::string(host) + "/.well-known/matrix/server with {\"m.server\": \"" +
         std::string(host) + ":443\"} (or the host:port your federation listener really uses)";
}

std::string describe_srv(const SrvQuery& query) {
  const auto& r = query.records.front();
  return "SRV " + query.name + " -> " + endpoint(r.target, r.port);
}

const SrvQuery* answered_srv(const DelegationTrace& trace) {
  for (const auto& q : trace.srv) {
    if (!q.records.empty()) {
      return &q;
    }
  }
  return nullptr;
}

std::optional<nlohmann::json> json_object(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) {
    return std::nullopt;
  }
  return json;
}

}  // namespace

std::string utc_time(std::int64_t epoch_s) {
  const std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

Delegation delegation_step(std::string_view server_name, const DelegationTrace& trace, const ResolvedServer& resolved,
                           const std::optional<std::pair<std::string, std::uint16_t>>& connect_to) {
  Delegation out;
  out.step.name = "delegation";
  const auto name = core::parse_server_name(server_name);
  const std::string host = name ? name->host : std::string(server_name);
  std::vector<std::string> found;
  const bool ip = name && is_ip_host(name->host);
  if (ip) {
    out.route = Route::ip_literal;
    found.push_back(std::string(server_name) + " is an IP literal: no delegation is looked up, no SNI is sent");
  } else if (name && name->port && !trace.well_known) {
    out.route = Route::explicit_port;
    found.push_back(std::string(server_name) + " has an explicit port: no .well-known or SRV is looked up");
  } else if (trace.well_known) {
    const auto& wk = *trace.well_known;
    switch (wk.outcome) {
      case WellKnownFetch::Outcome::delegated:
        out.route = Route::well_known;
        found.push_back(wk.url + " delegates to " + in_quotes(wk.m_server));
        break;
      case WellKnownFetch::Outcome::unreachable:
        found.push_back("no " + wk.url + " (" + wk.detail + ")");
        if (wk.tls_failed) {
          out.step.status = Status::warn;
          out.step.fix = "remote servers ignore a .well-known they cannot fetch over verified TLS: serve " + host +
                         ":443 with a certificate for " + host + " from a trusted CA";
        }
        break;
      case WellKnownFetch::Outcome::http_error:
        found.push_back("no " + wk.url + " (HTTP " + std::to_string(wk.status) + ")");
        if (wk.status != 404) {
          out.step.status = Status::warn;
          out.step.fix = "answer " + wk.url + " with 200 and the delegation, or 404 when there is none";
        }
        break;
      case WellKnownFetch::Outcome::invalid_json:
      case WellKnownFetch::Outcome::no_server:
      case WellKnownFetch::Outcome::invalid_server:
        out.step.status = Status::warn;
        found.push_back(wk.url + " is ignored by remote servers: " + wk.detail);
        out.step.fix = well_known_sample(host);
        break;
    }
  }
  if (const auto* srv = answered_srv(trace)) {
    out.route = out.route == Route::well_known ? Route::well_known : Route::srv;
    found.push_back(describe_srv(*srv));
    if (srv->name.starts_with("_matrix._tcp.")) {
      out.step.status = Status::warn;
      out.step.fix += (out.step.fix.empty() ? "" : "; ") + std::string("publish the record as _matrix-fed._tcp") +
                      srv->name.substr(std::string("_matrix._tcp").size()) +
                      " (_matrix._tcp is deprecated since Matrix v1.8)";
    }
  } else if (!trace.srv.empty()) {
    found.push_back("no SRV records (" + trace.srv.front().name + ", " + trace.srv.back().name + ")");
  }
  if (out.route == Route::default_port && name && !name->port && !trace.srv.empty() &&
      (!trace.well_known || trace.well_known->outcome != WellKnownFetch::Outcome::delegated)) {
    found.push_back("so remote servers use port 8448");
  }
  std::string reason = join(found, "; ");
  reason += " -> connect to " + endpoint(resolved.connect_host, resolved.port) + ", Host: " + resolved.host_header +
            ", TLS name: " + resolved.tls_name;
  if (connect_to) {
    reason += " (--connect-to: TCP goes to " + endpoint(connect_to->first, connect_to->second) + ")";
  }
  out.step.reason = std::move(reason);
  return out;
}

Step connection_failed_step(std::string_view server_name, Route route, const ResolvedServer& resolved,
                            const ProbeError& error) {
  Step step{"connect", Status::fail, error.message, ""};
  const auto name = core::parse_server_name(server_name);
  const std::string host = name ? name->host : std::string(server_name);
  const std::string where = endpoint(resolved.connect_host, resolved.port);
  if (error.kind == ProbeErrorKind::resolve_failed) {
    step.fix = "publish an A or AAAA record for " + resolved.connect_host;
  } else if (error.kind == ProbeErrorKind::connect_failed) {
    step.fix = "make " + where + " reachable from the internet (is the federation listener running, bound to a "
               "public address, and the port open in the firewall?)";
  } else {
    step.name = "tls";
    step.fix = "serve TLS on " + where + " (a ranvier listener with tls: true and the tls.certificate and "
               "tls.private_key files; a reverse proxy in front of it must terminate TLS for " + resolved.tls_name +
               ")";
  }
  if (route == Route::default_port && error.kind != ProbeErrorKind::handshake_failed) {
    step.fix += "; or, if the server listens elsewhere, delegate: " + well_known_sample(host) +
                ", or publish an SRV record _matrix-fed._tcp." + host;
  }
  return step;
}

Step certificate_step(const TlsProbe& probe, std::string_view tls_name, std::int64_t now_s) {
  Step step{"tls", Status::pass, "", ""};
  const auto& leaf = probe.chain.front();
  const std::string names = leaf.names.empty() ? leaf.subject + " (no subjectAltName)" : join(leaf.names, ", ");
  std::vector<std::string> problems;
  std::vector<std::string> fixes;
  switch (probe.verify_code) {
    case X509_V_OK:
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      problems.push_back("the certificate expired on " + utc_time(leaf.not_after));
      fixes.push_back("renew the certificate (ranvier reloads its TLS files on SIGHUP)");
      break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      problems.push_back("the certificate is not valid before " + utc_time(leaf.not_before) +
                         " (is a clock wrong?)");
      fixes.push_back("check the clocks, or use a certificate valid now");
      break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      problems.push_back("the chain is not trusted: " + probe.verify_error + " (issuer " + leaf.issuer + ", " +
                         std::to_string(probe.chain.size()) + " certificate(s) sent)");
      fixes.push_back("use a certificate from a CA remote servers trust (e.g. Let's Encrypt) and serve the full "
                      "chain, leaf first, then intermediates; for a private CA, pass it here with --ca-file");
      break;
    default:
      problems.push_back("the chain does not verify: " + probe.verify_error);
      fixes.push_back("use a certificate from a CA remote servers trust, with its full chain");
      break;
  }
  if (!probe.name_matches) {
    problems.push_back("the certificate is for " + names + ", not " + std::string(tls_name));
    fixes.push_back("get a certificate whose subjectAltName includes " + std::string(tls_name) +
                    ": remote servers send it as SNI and require it on the certificate (server-server API, "
                    "\"TLS\")");
  }
  if (!problems.empty()) {
    step.status = Status::fail;
    step.reason = join(problems, "; ");
    step.fix = join(fixes, "; ");
    return step;
  }
  step.reason = "certificate for " + names + " issued by " + leaf.issuer + ", valid until " +
                utc_time(leaf.not_after) + " (" + probe.protocol + ", " + probe.address + ")";
  if (leaf.not_after - now_s < expiry_warning_s) {
    step.status = Status::warn;
    step.fix = "renew the certificate: it expires in " + std::to_string((leaf.not_after - now_s) / day_s) + " day(s)";
  }
  return step;
}

Step key_step(std::string_view server_name, int status, std::string_view body, std::int64_t now_ms) {
  Step step{"keys", Status::fail, "", ""};
  const std::string where = "GET /_matrix/key/v2/server";
  if (status != 200) {
    step.reason = where + " answered HTTP " + std::to_string(status);
    step.fix = "serve the key API on the federation port (ranvier serves it on every federation listener)";
    return step;
  }
  const auto document = json_object(body);
  if (!document) {
    step.reason = where + " did not answer a JSON object";
    step.fix = "make sure the federation port reaches the homeserver, not another web server";
    return step;
  }
  auto verified = core::verify_server_keys(*document, server_name);
  if (!verified) {
    step.reason = std::string(core::to_string(verified.error()));
    switch (verified.error()) {
      case core::ServerKeysError::wrong_server: {
        const auto it = document->find("server_name");
        step.reason = "the key document is for " +
                      (it != document->end() && it->is_string() ? in_quotes(it->get<std::string>()) : "no server_name") +
                      ", not " + in_quotes(server_name);
        step.fix = "the server behind this name must be configured with server_name: " + std::string(server_name) +
                   " (or the delegation points at the wrong server)";
        break;
      }
      case core::ServerKeysError::signature_failed:
        step.fix = "each key in verify_keys must sign the document; the signing key file and the published keys "
                   "disagree";
        break;
      case core::ServerKeysError::malformed:
      case core::ServerKeysError::bad_key:
        step.fix = "the document must follow the spec (server-server API, \"Publishing Keys\")";
        break;
    }
    return step;
  }
  std::vector<std::string> ids;
  for (const auto& [id, key] : verified->verify_keys) {
    ids.push_back(id);
  }
  const auto until = utc_time(verified->valid_until_ts / 1000);
  if (verified->valid_until_ts <= now_ms) {
    step.reason = "the key document expired at " + until + " (valid_until_ts " +
                  std::to_string(verified->valid_until_ts) + "): remote servers refuse its keys for new signatures";
    step.fix = "the server must publish its keys with valid_until_ts in the future (check its clock and its key "
               "configuration)";
    return step;
  }
  step.status = Status::pass;
  step.reason = "self-signed by " + join(ids, ", ") + " for " + std::string(server_name) + ", valid until " + until;
  return step;
}

Step version_step(int status, std::string_view body) {
  Step step{"version", Status::fail, "", ""};
  const auto document = json_object(body);
  if (status != 200 || !document) {
    step.reason = "GET /_matrix/federation/v1/version answered HTTP " + std::to_string(status) +
                  (document ? "" : " without a JSON object");
    step.fix = "the federation port must reach the homeserver's federation API";
    return step;
  }
  const auto server = document->find("server");
  if (server == document->end() || !server->is_object()) {
    step.reason = "GET /_matrix/federation/v1/version has no `server` object";
    step.fix = "the federation port must reach a Matrix homeserver";
    return step;
  }
  const auto text = [&](const char* key) {
    const auto it = server->find(key);
    return it != server->end() && it->is_string() ? it->get<std::string>() : std::string("?");
  };
  step.status = Status::pass;
  step.reason = "the server runs " + text("name") + " " + text("version");
  return step;
}

ClientDiscovery client_well_known_step(std::string_view url, int status, std::string_view body,
                                       std::string_view error) {
  ClientDiscovery out;
  out.step.name = "client";
  const std::string sample = "serve " + std::string(url) +
                             " with {\"m.homeserver\": {\"base_url\": \"https://matrix.example.com\"}} (ranvier: "
                             "well_known.client_base_url)";
  if (status == 0 || status == 404) {
    out.step.status = Status::warn;
    out.step.reason = "no " + std::string(url) + " (" +
                      (status == 404 ? std::string("HTTP 404") : std::string(error)) +
                      "); it is optional (client-server API, \"Server Discovery\"), but clients then cannot find "
                      "the homeserver from a user ID";
    out.step.fix = sample;
    return out;
  }
  out.step.status = Status::fail;
  out.step.fix = sample;
  if (status != 200) {
    out.step.reason = std::string(url) + " answered HTTP " + std::to_string(status) +
                      " (clients stop with an error on anything but 200 or 404)";
    return out;
  }
  const auto document = json_object(body);
  if (!document) {
    out.step.reason = std::string(url) + " is not a JSON object (clients stop with an error)";
    return out;
  }
  const auto homeserver = document->find("m.homeserver");
  if (homeserver == document->end() || !homeserver->is_object() || !homeserver->contains("base_url") ||
      !(*homeserver)["base_url"].is_string()) {
    out.step.reason = std::string(url) + " has no string m.homeserver.base_url";
    return out;
  }
  const auto base = (*homeserver)["base_url"].get<std::string>();
  out.base_url = core::parse_http_url(base);
  if (!out.base_url) {
    out.step.reason = "m.homeserver.base_url " + in_quotes(base) + " is not an http(s) URL";
    return out;
  }
  while (out.base_url->target.ends_with('/')) {
    out.base_url->target.pop_back();
  }
  out.step.status = Status::pass;
  out.step.fix.clear();
  out.step.reason = std::string(url) + " gives m.homeserver.base_url " + base;
  return out;
}

Step client_versions_step(std::string_view url, int status, std::string_view body, std::string_view error) {
  Step step{"client-versions", Status::fail, "", ""};
  const std::string fix = "m.homeserver.base_url must lead to the client API (the client listener, or the proxy in "
                          "front of it, must pass /_matrix/ through)";
  if (status == 0) {
    step.reason = "GET " + std::string(url) + " failed: " + std::string(error);
    step.fix = fix;
    return step;
  }
  const auto document = json_object(body);
  if (status != 200 || !document || !document->contains("versions") || !(*document)["versions"].is_array()) {
    step.reason = "GET " + std::string(url) + " answered HTTP " + std::to_string(status) + " without a versions list";
    step.fix = fix;
    return step;
  }
  const auto& versions = (*document)["versions"];
  step.status = Status::pass;
  step.reason = std::string(url) + " lists " + std::to_string(versions.size()) + " spec versions" +
                (versions.empty() || !versions.back().is_string() ? "" : " up to " + versions.back().get<std::string>());
  return step;
}

}  // namespace ranvier::federation::doctor
