// `ranvier doctor`'s pure parts: --connect-to rules, URLs, and each check's verdict from what
// was observed (spec: server-server API "Resolving server names", "TLS", "Publishing Keys";
// client-server API "Server Discovery").

#include "core/server_keys.hpp"
#include "federation/doctor_checks.hpp"
#include "federation/doctor_tls_probe.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

namespace ranvier::federation::doctor {
namespace {

constexpr std::int64_t now_ms = 1'800'000'000'000;

TEST(DoctorConnectTo, ParsesNamesPortsAndBracketedIpv6) {
  auto rule = parse_connect_to("Example.org:443:127.0.0.1:8448");
  ASSERT_TRUE(rule);
  EXPECT_EQ(*rule, (ConnectTo{"example.org", 443, "127.0.0.1", 8448}));
  auto v6 = parse_connect_to("[::1]:8448:[fe80::2]:9000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(*v6, (ConnectTo{"::1", 8448, "fe80::2", 9000}));
}

TEST(DoctorConnectTo, RefusesIncompleteOrInvalidRules) {
  for (const char* bad : {"", "a:1:b", "a:1:b:2:3", "a:0:b:1", "a:1:b:70000", "a:x:b:1", "a b:1:b:1", ":1:b:1"}) {
    EXPECT_FALSE(parse_connect_to(bad)) << bad;
  }
}

TEST(DoctorConnectTo, OnlyTheMatchingHostAndPortMove) {
  const std::vector<ConnectTo> rules{{"example.org", 443, "127.0.0.1", 1000}};
  EXPECT_EQ(connect_destination(rules, "EXAMPLE.org", 443), (std::pair<std::string, std::uint16_t>{"127.0.0.1", 1000}));
  EXPECT_EQ(connect_destination(rules, "example.org", 8448),
            (std::pair<std::string, std::uint16_t>{"example.org", 8448}));
  EXPECT_EQ(connect_destination(rules, "other.org", 443), (std::pair<std::string, std::uint16_t>{"other.org", 443}));
}

TEST(DoctorReport, TextJsonAndExitCode) {
  Report report;
  report.server_name = "example.org";
  report.add(Step{"delegation", Status::pass, "fine", ""});
  report.add(Step{"client", Status::warn, "missing", "serve it"});
  EXPECT_EQ(exit_code(report), 0);
  report.add(Step{"tls", Status::fail, "wrong name", "get another certificate"});
  report.add(Step{"keys", Status::skip, "no connection", ""});
  EXPECT_EQ(exit_code(report), 1);
  const auto text = render_text(report);
  EXPECT_NE(text.find("PASS  delegation  fine\n"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  tls         wrong name\n      fix: get another certificate\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("WARN  client      missing\n      fix: serve it\n"), std::string::npos) << text;
  EXPECT_NE(text.find("FAILED: 1 passed, 1 warnings, 1 failed, 1 skipped"), std::string::npos) << text;
  const auto json = render_json(report);
  EXPECT_EQ(json["ok"], false);
  EXPECT_EQ(json["steps"][2]["status"], "FAIL");
  EXPECT_EQ(json["steps"][2]["fix"], "get another certificate");
  EXPECT_FALSE(json["steps"][0].contains("fix"));
}

TEST(DoctorReport, ControlCharactersFromRemotesAreNotPrinted) {
  Report report;
  report.add(Step{"version", Status::fail, "the server runs \x1b[2Jevil\n", "fix\r"});
  const auto text = render_text(report);
  EXPECT_NE(text.find("the server runs ?[2Jevil?\n      fix: fix?\n"), std::string::npos) << text;
}

core::SigningKey test_key() {
  core::Ed25519Seed seed{};
  seed.fill(7);
  return *core::make_signing_key("doc1", seed);
}

std::string key_document(std::string_view server, std::int64_t valid_until_ts) {
  return core::build_server_keys(server, {test_key()}, {}, valid_until_ts).dump();
}

TEST(DoctorKeys, ValidSelfSignedDocumentPasses) {
  const auto step = key_step("example.org", 200, key_document("example.org", now_ms + 3'600'000), now_ms);
  EXPECT_EQ(step.status, Status::pass) << step.reason;
  EXPECT_NE(step.reason.find("ed25519:doc1"), std::string::npos) << step.reason;
}

TEST(DoctorKeys, ExpiredDocumentFails) {
  const auto step = key_step("example.org", 200, key_document("example.org", now_ms - 1), now_ms);
  EXPECT_EQ(step.status, Status::fail);
  EXPECT_NE(step.reason.find("expired"), std::string::npos) << step.reason;
  EXPECT_FALSE(step.fix.empty());
}

TEST(DoctorKeys, WrongServerNameTamperingAndHttpErrorsFail) {
  auto other = key_step("example.org", 200, key_document("other.org", now_ms + 1000), now_ms);
  EXPECT_EQ(other.status, Status::fail);
  EXPECT_NE(other.reason.find("'other.org', not 'example.org'"), std::string::npos) << other.reason;

  auto document = core::build_server_keys("example.org", {test_key()}, {}, now_ms + 1000);
  document["valid_until_ts"] = now_ms + 2000;  // changed after signing
  auto tampered = key_step("example.org", 200, document.dump(), now_ms);
  EXPECT_EQ(tampered.status, Status::fail);
  EXPECT_NE(tampered.reason.find("self-signed"), std::string::npos) << tampered.reason;

  EXPECT_EQ(key_step("example.org", 404, "{}", now_ms).status, Status::fail);
  EXPECT_EQ(key_step("example.org", 200, "<html>", now_ms).status, Status::fail);
}

TEST(DoctorVersion, NeedsAServerObject) {
  auto ok = version_step(200, R"({"server": {"name": "Ranvier", "version": "0.1"}})");
  EXPECT_EQ(ok.status, Status::pass);
  EXPECT_EQ(ok.reason, "the server runs Ranvier 0.1");
  EXPECT_EQ(version_step(200, R"({"name": "x"})").status, Status::fail);
  EXPECT_EQ(version_step(500, R"({"server": {}})").status, Status::fail);
}

TlsProbe good_probe(std::int64_t not_after) {
  TlsProbe probe;
  probe.address = "127.0.0.1:8448";
  probe.protocol = "TLSv1.3";
  probe.chain.push_back(CertificateInfo{"CN=example.org", "CN=Test CA", {"DNS:example.org", "IP:127.0.0.1"}, 0,
                                        not_after});
  probe.name_matches = true;
  return probe;
}

TEST(DoctorCertificate, TrustedNamedAndCurrentPasses) {
  const auto step = certificate_step(good_probe(now_ms / 1000 + 90 * 86400), "example.org", now_ms / 1000);
  EXPECT_EQ(step.status, Status::pass) << step.reason;
  EXPECT_NE(step.reason.find("DNS:example.org"), std::string::npos);
}

TEST(DoctorCertificate, WrongNameSaysWhichNamesItCarries) {
  auto probe = good_probe(now_ms / 1000 + 90 * 86400);
  probe.name_matches = false;
  const auto step = certificate_step(probe, "matrix.example.com", now_ms / 1000);
  EXPECT_EQ(step.status, Status::fail);
  EXPECT_NE(step.reason.find("the certificate is for DNS:example.org, IP:127.0.0.1, not matrix.example.com"),
            std::string::npos)
      << step.reason;
  EXPECT_NE(step.fix.find("subjectAltName includes matrix.example.com"), std::string::npos);
}

TEST(DoctorCertificate, UntrustedExpiredAndSoonExpiring) {
  auto untrusted = good_probe(now_ms / 1000 + 90 * 86400);
  untrusted.verify_code = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
  untrusted.verify_error = "self-signed certificate";
  auto step = certificate_step(untrusted, "example.org", now_ms / 1000);
  EXPECT_EQ(step.status, Status::fail);
  EXPECT_NE(step.reason.find("not trusted: self-signed certificate"), std::string::npos) << step.reason;

  auto expired = good_probe(now_ms / 1000 - 10);
  expired.verify_code = X509_V_ERR_CERT_HAS_EXPIRED;
  step = certificate_step(expired, "example.org", now_ms / 1000);
  EXPECT_EQ(step.status, Status::fail);
  EXPECT_NE(step.reason.find("expired on"), std::string::npos) << step.reason;

  step = certificate_step(good_probe(now_ms / 1000 + 3 * 86400), "example.org", now_ms / 1000);
  EXPECT_EQ(step.status, Status::warn);
  EXPECT_NE(step.fix.find("expires in 3 day(s)"), std::string::npos) << step.fix;
}

TEST(DoctorDelegation, ExplicitPortAndIpLiteral) {
  auto d = delegation_step("example.org:8448", {}, ResolvedServer{"example.org", 8448, "example.org:8448", "example.org"},
                           std::nullopt);
  EXPECT_EQ(d.route, Route::explicit_port);
  EXPECT_EQ(d.step.status, Status::pass);
  EXPECT_NE(d.step.reason.find("explicit port"), std::string::npos) << d.step.reason;
  d = delegation_step("1.2.3.4", {}, ResolvedServer{"1.2.3.4", 8448, "1.2.3.4", "1.2.3.4"}, std::nullopt);
  EXPECT_EQ(d.route, Route::ip_literal);
}

TEST(DoctorDelegation, WellKnownDelegationAndConnectTo) {
  DelegationTrace trace;
  trace.well_known = WellKnownFetch{"https://example.org/.well-known/matrix/server",
                                    WellKnownFetch::Outcome::delegated, 200, "", "matrix.example.org:443"};
  auto d = delegation_step("example.org", trace,
                           ResolvedServer{"matrix.example.org", 443, "matrix.example.org:443", "matrix.example.org"},
                           std::pair<std::string, std::uint16_t>{"127.0.0.1", 9000});
  EXPECT_EQ(d.route, Route::well_known);
  EXPECT_EQ(d.step.status, Status::pass);
  EXPECT_NE(d.step.reason.find("delegates to 'matrix.example.org:443'"), std::string::npos) << d.step.reason;
  EXPECT_NE(d.step.reason.find("TCP goes to 127.0.0.1:9000"), std::string::npos) << d.step.reason;
}

TEST(DoctorDelegation, MissingWellKnownFallsBackToPort8448) {
  DelegationTrace trace;
  trace.well_known =
      WellKnownFetch{"https://example.org/.well-known/matrix/server", WellKnownFetch::Outcome::http_error, 404, "", ""};
  trace.srv = {SrvQuery{"_matrix-fed._tcp.example.org", {}}, SrvQuery{"_matrix._tcp.example.org", {}}};
  const ResolvedServer resolved{"example.org", 8448, "example.org", "example.org"};
  auto d = delegation_step("example.org", trace, resolved, std::nullopt);
  EXPECT_EQ(d.route, Route::default_port);
  EXPECT_EQ(d.step.status, Status::pass);
  EXPECT_NE(d.step.reason.find("(HTTP 404)"), std::string::npos) << d.step.reason;
  EXPECT_NE(d.step.reason.find("port 8448"), std::string::npos) << d.step.reason;

  const auto failed =
      connection_failed_step("example.org", d.route, resolved,
                             ProbeError{ProbeErrorKind::connect_failed, "cannot connect to example.org port 8448"});
  EXPECT_EQ(failed.status, Status::fail);
  EXPECT_NE(failed.fix.find("{\"m.server\": \"example.org:443\"}"), std::string::npos) << failed.fix;
  EXPECT_NE(failed.fix.find("_matrix-fed._tcp.example.org"), std::string::npos) << failed.fix;
}

TEST(DoctorDelegation, WellKnownRefusedByTlsWarns) {
  DelegationTrace trace;
  trace.well_known = WellKnownFetch{"https://example.org/.well-known/matrix/server",
                                    WellKnownFetch::Outcome::unreachable, 0, "certificate verify failed", "", true};
  auto d = delegation_step("example.org", trace, ResolvedServer{"example.org", 8448, "example.org", "example.org"},
                           std::nullopt);
  EXPECT_EQ(d.step.status, Status::warn);
  EXPECT_NE(d.step.fix.find("verified TLS"), std::string::npos) << d.step.fix;
  trace.well_known->tls_failed = false;
  EXPECT_EQ(delegation_step("example.org", trace, ResolvedServer{"example.org", 8448, "example.org", "example.org"},
                            std::nullopt)
                .step.status,
            Status::pass);
}

TEST(DoctorDelegation, BrokenWellKnownAndDeprecatedSrvWarn) {
  DelegationTrace trace;
  trace.well_known = WellKnownFetch{"https://example.org/.well-known/matrix/server",
                                    WellKnownFetch::Outcome::invalid_json, 200, "the body is not a JSON object", ""};
  trace.srv = {SrvQuery{"_matrix-fed._tcp.example.org", {}},
               SrvQuery{"_matrix._tcp.example.org", {SrvRecord{"matrix.example.org", 8448, 10, 0}}}};
  auto d = delegation_step("example.org", trace, ResolvedServer{"matrix.example.org", 8448, "example.org", "example.org"},
                           std::nullopt);
  EXPECT_EQ(d.route, Route::srv);
  EXPECT_EQ(d.step.status, Status::warn);
  EXPECT_NE(d.step.reason.find("ignored by remote servers"), std::string::npos) << d.step.reason;
  EXPECT_NE(d.step.fix.find("_matrix-fed._tcp.example.org"), std::string::npos) << d.step.fix;
  EXPECT_NE(d.step.fix.find("{\"m.server\": \"example.org:443\"}"), std::string::npos) << d.step.fix;
}

TEST(DoctorClient, MissingWellKnownIsAWarning) {
  auto d = client_well_known_step("https://example.org/.well-known/matrix/client", 404, "", "");
  EXPECT_EQ(d.step.status, Status::warn);
  EXPECT_NE(d.step.reason.find("optional"), std::string::npos);
  EXPECT_FALSE(d.base_url);
  d = client_well_known_step("https://example.org/.well-known/matrix/client", 0, "", "connection refused");
  EXPECT_EQ(d.step.status, Status::warn);
}

TEST(DoctorClient, BrokenWellKnownFails) {
  const char* url = "https://example.org/.well-known/matrix/client";
  EXPECT_EQ(client_well_known_step(url, 500, "", "").step.status, Status::fail);
  EXPECT_EQ(client_well_known_step(url, 200, "not json", "").step.status, Status::fail);
  EXPECT_EQ(client_well_known_step(url, 200, R"({"m.homeserver": {}})", "").step.status, Status::fail);
  EXPECT_EQ(client_well_known_step(url, 200, R"({"m.homeserver": {"base_url": "matrix.org"}})", "").step.status,
            Status::fail);
}

TEST(DoctorClient, BaseUrlAndVersions) {
  auto d = client_well_known_step("https://example.org/.well-known/matrix/client", 200,
                                  R"({"m.homeserver": {"base_url": "https://matrix.example.org/"}})", "");
  EXPECT_EQ(d.step.status, Status::pass);
  ASSERT_TRUE(d.base_url);
  EXPECT_EQ(*d.base_url, (core::HttpUrl{.tls = true, .host = "matrix.example.org", .port = 443, .target = ""}));
  const char* url = "https://matrix.example.org/_matrix/client/versions";
  auto ok = client_versions_step(url, 200, R"({"versions": ["v1.1", "v1.19"]})", "");
  EXPECT_EQ(ok.status, Status::pass);
  EXPECT_NE(ok.reason.find("up to v1.19"), std::string::npos) << ok.reason;
  EXPECT_EQ(client_versions_step(url, 404, "{}", "").status, Status::fail);
  EXPECT_EQ(client_versions_step(url, 0, "", "refused").status, Status::fail);
}

TEST(DoctorProbe, ClosedPortIsAConnectionFailure) {
  // Port 1 on loopback: nothing listens there in a test environment.
  auto probe = probe_tls(ProbeTarget{"127.0.0.1", 1, "example.org"}, ProbeOptions{{}, std::chrono::seconds(2)});
  ASSERT_FALSE(probe);
  EXPECT_EQ(probe.error().kind, ProbeErrorKind::connect_failed);
  EXPECT_NE(probe.error().message.find("127.0.0.1:1"), std::string::npos) << probe.error().message;
}

}  // namespace
}  // namespace ranvier::federation::doctor
