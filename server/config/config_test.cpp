#include "config/config.hpp"

#include <gtest/gtest.h>

using namespace ranvier::config;

namespace {

const std::filesystem::path file = "/etc/ranvier/ranvier.yaml";

std::string base_config() {
  InitOptions o;
  o.server_name = "example.org";
  o.database = "sqlite:///var/lib/ranvier/ranvier.db";
  o.registration = RegistrationMode::open;
  return render_config(o);
}

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, file);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ConfigTest, GeneratedConfigParses) {
  auto c = parse_config(base_config(), file);
  EXPECT_EQ(c.server_name, "example.org");
  EXPECT_EQ(c.signing_key, "/etc/ranvier/signing.key");
  ASSERT_EQ(c.listeners.size(), 2U);
  EXPECT_TRUE(c.listeners[0].client);
  EXPECT_FALSE(c.listeners[0].tls);
  EXPECT_EQ(c.listeners[0].port, 8008);
  EXPECT_TRUE(c.listeners[1].federation);
  EXPECT_TRUE(c.listeners[1].tls);
  EXPECT_EQ(c.registration, RegistrationMode::open);
  EXPECT_EQ(c.tls_certificate, "/etc/ranvier/tls.crt");
  EXPECT_FALSE(c.well_known_server.has_value());
}

TEST(ConfigTest, UnknownKeyIsNamed) {
  EXPECT_EQ(error_of(base_config() + "limitz: {}\n"), "limitz: unknown key");
  auto yaml = base_config();
  yaml.replace(yaml.find("  max_connections"), 2, "  max_conection: 3\n  ");
  EXPECT_EQ(error_of(yaml), "limits.max_conection: unknown key");
}

TEST(ConfigTest, WrongTypesAndImpossibleValuesAreNamed) {
  auto yaml = base_config();
  yaml.replace(yaml.find("max_body_bytes: 1048576"), 23, "max_body_bytes: lots");
  EXPECT_EQ(error_of(yaml), "limits.max_body_bytes: expected a whole number");

  yaml = base_config();
  yaml.replace(yaml.find("127.0.0.1:8008"), 14, "127.0.0.1:70000");
  EXPECT_NE(error_of(yaml).find("listeners[0].bind"), std::string::npos);

  yaml = base_config();
  yaml.replace(yaml.find("mode: open"), 10, "mode: sometimes");
  EXPECT_EQ(error_of(yaml), "registration.mode: expected open, token or closed");

  yaml = base_config();
  yaml.replace(yaml.find("enabled: true"), 13, "enabled: yes please");
  EXPECT_EQ(error_of(yaml), "rate_limits.enabled: expected true or false");
}

TEST(ConfigTest, MissingRequiredKeys) {
  EXPECT_EQ(error_of("database: sqlite:///x.db\n"), "server_name: is required");
  EXPECT_NE(error_of("server_name: a\ndatabase: mysql://x\nsigning_key: k\n").find("database"), std::string::npos);
  EXPECT_EQ(error_of("server_name: a\ndatabase: sqlite:///x\nsigning_key: k\n"), "listeners: expected a non-empty list");
}

TEST(ConfigTest, ListenAddresses) {
  auto v6 = parse_listen_address("[::1]:8448", "k");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 8448);
  EXPECT_THROW(parse_listen_address("::1:8448", "k"), ConfigError);
  EXPECT_THROW(parse_listen_address("localhost", "k"), ConfigError);
  EXPECT_THROW(parse_listen_address("localhost:", "k"), ConfigError);
}

TEST(ConfigTest, RelativeSqlitePathFollowsConfigFile) {
  auto yaml = base_config();
  yaml.replace(yaml.find("sqlite:///var/lib/ranvier/ranvier.db"), 36, "sqlite://db/r.db");
  EXPECT_EQ(parse_config(yaml, file).database, "sqlite:///etc/ranvier/db/r.db");
}

TEST(ConfigTest, SyntaxErrorIsAConfigError) {
  EXPECT_THROW(parse_config("server_name: [unclosed\n", file), ConfigError);
}

TEST(ConfigTest, PerEndpointRateLimits) {
  auto yaml = base_config();
  yaml.replace(yaml.find("  endpoints: {}"), 15, "  endpoints: {login: {per_second: 0.5}, register: {burst: 2}}");
  auto c = parse_config(yaml, file);
  ASSERT_EQ(c.rate_limits.endpoints.size(), 2U);
  EXPECT_EQ(c.rate_limits.endpoints.at("login").per_second, 0.5);
  EXPECT_EQ(c.rate_limits.endpoints.at("login").burst, 10U);  // falls back to the general burst
  EXPECT_EQ(c.rate_limits.endpoints.at("register").burst, 2U);

  yaml = base_config();
  yaml.replace(yaml.find("  endpoints: {}"), 15, "  endpoints: {login: {bursts: 2}}");
  EXPECT_EQ(error_of(yaml), "rate_limits.endpoints.login.bursts: unknown key");
}

TEST(ConfigTest, Presence) {
  EXPECT_TRUE(parse_config(base_config(), file).presence_enabled);
  auto yaml = base_config();
  const std::string on = "presence:\n  enabled: true";
  yaml.replace(yaml.find(on), on.size(), "presence:\n  enabled: false");
  EXPECT_FALSE(parse_config(yaml, file).presence_enabled);
}

TEST(ConfigTest, Sessions) {
  auto c = parse_config(base_config(), file);
  EXPECT_TRUE(c.sessions.login_tokens);
  EXPECT_EQ(c.sessions.login_token_lifetime_ms, 120'000U);
  EXPECT_EQ(c.sessions.refreshable_access_token_lifetime_ms, 300'000U);

  auto yaml = base_config();
  yaml.replace(yaml.find("login_tokens: true"), 18, "login_tokens: false");
  yaml.replace(yaml.find("refreshable_access_token_lifetime_ms: 300000"), 44,
               "refreshable_access_token_lifetime_ms: 60000");
  c = parse_config(yaml, file);
  EXPECT_FALSE(c.sessions.login_tokens);
  EXPECT_EQ(c.sessions.refreshable_access_token_lifetime_ms, 60'000U);

  yaml = base_config();
  yaml.replace(yaml.find("login_token_lifetime_ms: 120000"), 31, "login_token_lifetime_ms: 5");
  EXPECT_EQ(error_of(yaml), "sessions.login_token_lifetime_ms: must be between 1000 and 86400000");
}

TEST(ConfigTest, Federation) {
  auto c = parse_config(base_config(), file);
  EXPECT_TRUE(c.federation.server_overrides.empty());
  EXPECT_TRUE(c.federation.ca_file.empty());
  EXPECT_TRUE(c.federation.verify_tls);
  EXPECT_TRUE(c.federation.trusted_key_servers.empty());
  EXPECT_EQ(c.federation.request_timeout_ms, 30'000U);

  auto with = [](const std::string& section) {
    auto yaml = base_config();
    const auto start = yaml.find("federation:\n");
    const auto end = yaml.find("\n\n", start);
    yaml.replace(start, end - start, section);
    return yaml;
  };
  c = parse_config(with("federation:\n  server_overrides: {hs2.test: \"127.0.0.1:9448\"}\n"
                        "  ca_file: ca.pem\n  verify_tls: false\n  trusted_key_servers: [matrix.org]\n"
                        "  request_timeout_ms: 5000"),
                   file);
  EXPECT_EQ(c.federation.server_overrides.at("hs2.test"), "127.0.0.1:9448");
  EXPECT_EQ(c.federation.ca_file, "/etc/ranvier/ca.pem");
  EXPECT_FALSE(c.federation.verify_tls);
  EXPECT_EQ(c.federation.trusted_key_servers, std::vector<std::string>{"matrix.org"});
  EXPECT_EQ(c.federation.request_timeout_ms, 5000U);

  EXPECT_EQ(error_of(with("federation:\n  server_overrides: {hs2.test: nowhere}")),
            "federation.server_overrides.hs2.test: expected HOST:PORT");
  EXPECT_EQ(error_of(with("federation:\n  server_overrides: {hs2.test: \"127.0.0.1:0\"}")),
            "federation.server_overrides.hs2.test: the port must be between 1 and 65535");
  EXPECT_EQ(error_of(with("federation:\n  server_overrides: {\"bad name!\": \"127.0.0.1:1\"}")),
            "federation.server_overrides.bad name!: 'bad name!' is not a valid server name");
  EXPECT_EQ(error_of(with("federation:\n  trusted_key_servers: notary.org")),
            "federation.trusted_key_servers: expected a list of server names");
  EXPECT_EQ(error_of(with("federation:\n  verify_tls: maybe")), "federation.verify_tls: expected true or false");
  EXPECT_EQ(error_of(with("federation:\n  request_timeout: 5")), "federation.request_timeout: unknown key");
}

TEST(ConfigTest, Turn) {
  EXPECT_TRUE(parse_config(base_config(), file).turn.uris.empty());
  auto c = parse_config(base_config() + "turn:\n  uris: [\"turn:t.example.org:3478\", \"stun:s.example.org\"]\n"
                                         "  shared_secret: s3cret\n  user_lifetime_ms: 60000\n",
                        file);
  EXPECT_EQ(c.turn.uris.size(), 2U);
  EXPECT_EQ(c.turn.shared_secret, "s3cret");
  EXPECT_EQ(c.turn.user_lifetime_ms, 60'000U);
  EXPECT_EQ(error_of(base_config() + "turn:\n  uris: [\"http://t.example.org\"]\n"),
            "turn.uris[0]: 'http://t.example.org' is not a turn:, turns: or stun: URI");
  EXPECT_EQ(error_of(base_config() + "turn:\n  shared_secret: a\n  username: u\n  password: p\n"),
            "turn.shared_secret: give either shared_secret or username and password, not both");
  EXPECT_EQ(error_of(base_config() + "turn:\n  username: u\n"), "turn.password: username and password go together");
}

TEST(ConfigTest, Media) {
  // The template's media section replaced by `section` ("" drops it: every default applies).
  auto with = [](const std::string& section) {
    auto yaml = base_config();
    const auto start = yaml.find("media:\n");
    const auto end = yaml.find("\n\n", start);
    yaml.replace(start, end - start, section);
    return yaml;
  };
  const auto templated = parse_config(base_config(), file).media;
  EXPECT_EQ(templated.path, file.parent_path() / "media");
  EXPECT_FALSE(templated.url_preview.enabled);
  const auto defaults = parse_config(with(""), file).media;
  EXPECT_EQ(defaults.path, file.parent_path() / "media");
  EXPECT_EQ(defaults.max_upload_size, templated.max_upload_size);
  EXPECT_FALSE(defaults.allow_unauthenticated);
  EXPECT_FALSE(defaults.url_preview.enabled);
  EXPECT_EQ(defaults.url_preview.ip_range_denylist, default_preview_ip_denylist());
  auto c = parse_config(with("media:\n  path: /srv/media\n  max_upload_size: 1000\n"
                             "  allow_unauthenticated: true\n  url_preview:\n    enabled: true\n"
                             "    ip_range_allowlist: [127.0.0.1/32, \"::1\"]"),
                        file);
  EXPECT_EQ(c.media.path, "/srv/media");
  EXPECT_EQ(c.media.max_upload_size, 1000U);
  EXPECT_TRUE(c.media.allow_unauthenticated);
  EXPECT_EQ(c.media.url_preview.ip_range_allowlist, (std::vector<std::string>{"127.0.0.1/32", "::1"}));
  EXPECT_EQ(error_of(with("media:\n  url_preview:\n    ip_range_denylist: [10.0.0.0/33]")),
            "media.url_preview.ip_range_denylist[0]: '10.0.0.0/33' is not an IP address or CIDR range");
  EXPECT_EQ(error_of(with("media:\n  max_upload_size: 0")), "media.max_upload_size: must be between 1 and 17179869184");
  EXPECT_EQ(error_of(with("media:\n  thumbnails: true")), "media.thumbnails: unknown key");
}
