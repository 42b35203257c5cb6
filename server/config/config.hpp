#pragma once
// Ranvier's configuration file (YAML). Every key is documented in docs/configuration.md and
// in the file `ranvier init` writes. Unknown keys, wrong types and impossible values are
// errors that name the key: a typo must never be silently ignored.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ranvier::config {

/// What a listener serves. One listener may serve several.
struct ListenerConfig {
  std::string host;  ///< IPv4/IPv6 literal or "localhost"
  std::uint16_t port = 0;
  bool tls = false;
  bool client = false;      ///< client-server API, /.well-known/matrix/*
  bool federation = false;  ///< server-server API, key API, /.well-known/matrix/server
  bool metrics = false;     ///< GET /metrics
};

enum class RegistrationMode { open, token, closed };

struct Limits {
  std::uint64_t max_body_bytes = 1 << 20;  // several times the 64 KiB PDU limit
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint32_t read_timeout_ms = 30'000;
  std::uint32_t max_connections = 1024;
};

struct Rate {
  double per_second = 1.0;   ///< sustained requests per second
  std::uint32_t burst = 10;  ///< requests allowed at once before limiting starts
};

struct RateLimits {
  bool enabled = true;
  Rate fallback;  ///< for every rate-limited endpoint not named in `endpoints`
  std::map<std::string, Rate, std::less<>> endpoints;  ///< operationId → its own rate
};

/// Argon2id cost for stored passwords; tests lower it so registration is fast.
struct PasswordHashing {
  std::uint64_t memory_kib = 19 * 1024;
  std::uint64_t iterations = 2;
};

/// Sessions beyond the password login: single-use login tokens (spec: POST /login/get_token)
/// and the lifetime of access tokens that come with a refresh token.
struct Sessions {
  bool login_tokens = true;  ///< POST /login/get_token and the m.login.token login type
  std::uint64_t login_token_lifetime_ms = 120'000;  ///< the spec's recommended 2 minutes
  std::uint64_t refreshable_access_token_lifetime_ms = 300'000;
};

/// Outbound federation (spec: server-server API, "Server discovery", "TLS", "Retrieving server
/// keys").
struct Federation {
  /// server_name → "host:port" to connect to instead of discovery (meshes, tests); requests go
  /// there with the server name as Host and TLS name.
  std::map<std::string, std::string, std::less<>> server_overrides;
  /// PEM file of extra CAs trusted for outbound TLS besides the system store; empty: none.
  std::filesystem::path ca_file;
  /// Off only for tests and networks that verify elsewhere.
  bool verify_tls = true;
  /// Notary servers asked for keys when a server cannot be reached for its own.
  std::vector<std::string> trusted_key_servers;
  /// Longest an outbound request may take (connect, send, answer).
  std::uint32_t request_timeout_ms = 30'000;
};

/// TURN servers handed to clients by GET /voip/turnServer (client-server API, "Voice over
/// IP"). With `shared_secret`, credentials are made per request as in the TURN REST API
/// (coturn's `use-auth-secret`, as Synapse does); otherwise the static username and password.
struct Turn {
  std::vector<std::string> uris;  ///< empty: no TURN server (the endpoint answers `{}`)
  std::optional<std::string> shared_secret;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::uint64_t user_lifetime_ms = 3'600'000;
};

/// URL previews (GET /_matrix/client/v1/media/preview_url): the server fetches pages for its
/// users, so it must not be made to reach its own network.
struct UrlPreview {
  bool enabled = false;
  /// CIDR ranges never fetched from (default: loopback, private, link-local, multicast and
  /// other special-purpose ranges of IPv4 and IPv6).
  std::vector<std::string> ip_range_denylist;
  /// CIDR ranges fetched from even when the deny list covers them (tests: 127.0.0.1/32).
  std::vector<std::string> ip_range_allowlist;
  std::uint64_t max_page_bytes = 2 * 1024 * 1024;
  std::uint32_t timeout_ms = 10'000;
};

/// The content repository (client-server API, "Content repository"). See docs/media.md.
struct Media {
  /// Where the files go; default `media/` beside the configuration file.
  std::filesystem::path path;
  std::uint64_t max_upload_size = 50ULL * 1024 * 1024;
  /// Serve media by the deprecated unauthenticated /_matrix/media/v3/download and /thumbnail.
  /// Off (the default, like Synapse's `enable_authenticated_media: true`) freezes them: only
  /// media stored while it was on stays reachable there.
  bool allow_unauthenticated = false;
  /// Largest image (width × height) that is thumbnailed.
  std::uint64_t max_thumbnail_pixels = 32ULL * 1024 * 1024;
  /// Pending uploads (POST /_matrix/media/v1/create not yet uploaded) a user may have.
  std::uint32_t max_pending_uploads = 10;
  /// How long a created mxc:// URI waits for its upload.
  std::uint64_t unused_expiry_ms = 86'400'000;
  UrlPreview url_preview;
};

/// The default UrlPreview::ip_range_denylist.
std::vector<std::string> default_preview_ip_denylist();

struct Config {
  std::filesystem::path file;  ///< the file it was read from
  std::string server_name;
  std::string database;  ///< URL: sqlite:///path or postgres://…
  std::filesystem::path signing_key;
  std::vector<ListenerConfig> listeners;
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
  RegistrationMode registration = RegistrationMode::closed;
  std::optional<std::string> registration_shared_secret;
  std::optional<std::string> well_known_server;
  std::optional<std::string> well_known_client_base_url;
  std::optional<nlohmann::json> well_known_support;
  Limits limits;
  RateLimits rate_limits;
  PasswordHashing password_hashing;
  Sessions sessions;
  /// Presence (online/unavailable/offline in /sync and /presence). Off: everyone reads as
  /// offline and updates are ignored — the cheap choice for busy small servers.
  bool presence_enabled = true;
  Federation federation;
  Turn turn;
  Media media;
  /// Application service registration files (application service API, "Registration").
  std::vector<std::filesystem::path> app_services;
  bool log_requests = true;

  /// True if some listener uses TLS (then the certificate and key must be loadable).
  bool any_tls() const;
};

/// A configuration problem; `what()` starts with the key's dotted path.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads and validates a config file. Relative paths inside are resolved against its folder.
Config load_config(const std::filesystem::path& file);

/// Validates YAML text; `base_dir` resolves relative paths.
Config parse_config(const std::string& yaml_text, const std::filesystem::path& file);

/// What `ranvier init` asks for.
struct InitOptions {
  std::string server_name;
  std::string database;
  RegistrationMode registration = RegistrationMode::closed;
  std::string client_listen = "127.0.0.1:8008";
  std::string federation_listen = "0.0.0.0:8448";
  std::optional<std::string> metrics_listen;
};

/// The commented configuration file `ranvier init` writes.
std::string render_config(const InitOptions& options);

/// Parses "HOST:PORT" / "[v6]:PORT"; throws ConfigError naming `key`.
ListenerConfig parse_listen_address(const std::string& text, const std::string& key);

/// Throws ConfigError naming `key` unless `url` is a sqlite:// or postgres(ql):// URL.
void check_database_url(const std::string& url, const std::string& key);

/// Parses "open" / "token" / "closed"; throws ConfigError naming `key`.
RegistrationMode parse_registration_mode(const std::string& text, const std::string& key);

}  // namespace ranvier::config
