#include "config/config.hpp"

#include <sstream>

namespace ranvier::config {
namespace {

std::string mode_name(RegistrationMode m) {
  switch (m) {
    case RegistrationMode::open:
      return "open";
    case RegistrationMode::token:
      return "token";
    case RegistrationMode::closed:
      break;
  }
  return "closed";
}

}  // namespace

std::string render_config(const InitOptions& o) {
  std::ostringstream y;
  y << "# Ranvier configuration, written by `ranvier init`. Every key is described here and in\n"
       "# docs/configuration.md. Unknown keys are errors, so a typo stops start-up.\n"
       "# Relative paths are relative to this file's folder.\n\n"
       "# The name in user IDs (@alice:NAME) and room aliases. Cannot change once users exist.\n"
    << "server_name: \"" << o.server_name << "\"\n\n"
    << "# sqlite:///absolute/path.db (embedded, the default) or postgres://user:pass@host:port/db\n"
    << "database: \"" << o.database << "\"\n\n"
    << "# ed25519 signing key (Synapse format: `ed25519 <key id> <unpadded base64 seed>`).\n"
       "# Keep it: remote servers know this server by it.\n"
       "signing_key: signing.key\n\n"
       "# Where to listen. resources: client (client-server API and /.well-known/matrix/*),\n"
       "# federation (server-server and key APIs), metrics (GET /metrics, Prometheus text).\n"
       "listeners:\n"
    << "  - bind: \"" << o.client_listen << "\"\n"
    << "    tls: false\n"
       "    resources: [client]\n"
    << "  - bind: \"" << o.federation_listen << "\"\n"
    << "    tls: true\n"
       "    resources: [federation]\n";
  if (o.metrics_listen) {
    y << "  - bind: \"" << *o.metrics_listen << "\"\n"
      << "    tls: false\n"
         "    resources: [metrics]\n";
  }
  y << "\n# Certificate and key for listeners with tls: true. `ranvier init` made a self-signed pair;\n"
       "# point these at acme.sh's files and send SIGHUP after renewal to reload without downtime.\n"
       "tls:\n"
       "  certificate: tls.crt\n"
       "  private_key: tls.key\n\n"
       "registration:\n"
       "  # open: anyone may register; token: a registration token is needed; closed: admins only.\n"
    << "  mode: " << mode_name(o.registration) << "\n"
    << "  # A secret for Synapse-compatible /_synapse/admin/v1/register (null disables it).\n"
       "  shared_secret: null\n\n"
       "# Delegation, served by Ranvier itself (no other web server needed).\n"
       "well_known:\n"
       "  # /.well-known/matrix/server: where other servers reach this one, e.g. \"matrix.example.com:443\".\n"
       "  server: null\n"
       "  # /.well-known/matrix/client: the client API's base URL, e.g. \"https://matrix.example.com\".\n"
       "  client_base_url: null\n"
       "  # /.well-known/matrix/support: a mapping with contacts and/or support_page.\n"
       "  support: null\n\n"
       "limits:\n"
       "  max_body_bytes: 1048576   # larger request bodies get 413 M_TOO_LARGE\n"
       "  max_header_bytes: 16384   # larger request headers get 431\n"
       "  read_timeout_ms: 30000    # a client that sends too slowly is disconnected\n"
       "  max_connections: 1024     # further connections are refused until some close\n\n"
       "# Applies to the endpoints the spec marks rate-limited, per user (per client address\n"
       "# before login), with one bucket per endpoint.\n"
       "rate_limits:\n"
       "  enabled: true\n"
       "  per_second: 1.0\n"
       "  burst: 10\n"
       "  # Other rates for some endpoints, by the spec's operationId, e.g.\n"
       "  #   endpoints: {sendMessage: {per_second: 10, burst: 50}}\n"
       "  endpoints: {}\n\n"
       "# Argon2id cost for stored passwords: OWASP's minimum in its least-memory form (7 MiB,\n"
       "# 5 passes; 19 MiB with 2 passes is the same strength and needs more memory per login).\n"
       "password_hashing:\n"
       "  memory_kib: 7168\n"
       "  iterations: 5\n\n"
       "sessions:\n"
       "  # POST /login/get_token: a logged-in user, after entering the password again, gets a\n"
       "  # single-use m.login.token to sign in another device (e.g. by QR code).\n"
       "  login_tokens: true\n"
       "  login_token_lifetime_ms: 120000\n"
       "  # Access tokens of clients that ask for a refresh token expire after this long.\n"
       "  refreshable_access_token_lifetime_ms: 300000\n\n"
       "# Presence: who is online, shown to people sharing a room. Costs work on every /sync.\n"
       "presence:\n"
       "  enabled: true\n\n"
       "# Talking to other servers. Discovery (.well-known, SRV, port 8448) finds them unless\n"
       "# server_overrides names where to connect; TLS is checked against the system's CAs\n"
       "# plus ca_file.\n"
       "federation:\n"
       "  server_overrides: {}   # e.g. {other.example: \"10.0.0.2:8448\"}\n"
       "  ca_file: null\n"
       "  verify_tls: true\n"
       "  trusted_key_servers: []   # notaries asked for keys of unreachable servers\n"
       "  request_timeout_ms: 30000\n\n"
       "# The content repository: uploads, downloads, thumbnails, URL previews (docs/media.md).\n"
       "media:\n"
       "  path: media                    # beside this file\n"
       "  max_upload_size: 52428800      # bytes; clients see it as m.upload.size\n"
       "  # true also serves new media by the deprecated unauthenticated /_matrix/media/v3 downloads.\n"
       "  allow_unauthenticated: false\n"
       "  url_preview:\n"
       "    enabled: false               # the server fetches web pages for its users\n"
       "    ip_range_allowlist: []       # exceptions to the built-in deny list of private ranges\n\n"
       "# Application service registration files, e.g. [irc-bridge.yaml] (docs/appservices.md).\n"
       "app_services: []\n\n"
       "log:\n"
       "  requests: true   # one line per request on standard error\n";
  return y.str();
}

}  // namespace ranvier::config
