#include "config/config.hpp"

#include "core/identifiers.hpp"

#include <yaml-cpp/yaml.h>

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace ranvier::config {
namespace {

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw ConfigError(key + ": " + problem);
}

std::string join_key(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

/// Reads one YAML mapping, remembering which keys were consumed so that anything left over
/// is reported as unknown.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path) : node_(node), path_(std::move(path)) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) {
      fail(path_.empty() ? "(top level)" : path_, "expected a mapping");
    }
    // YAML forbids repeated keys, but yaml-cpp keeps them all; the later one would win silently.
    std::set<std::string> keys;
    if (node_ && node_.IsMap()) {
      for (const auto& item : node_) {
        const auto name = item.first.as<std::string>();
        if (!keys.insert(name).second) {
          fail(key(name), "duplicate key");
        }
      }
    }
  }

  /// The child node, or an undefined node when absent or null.
  YAML::Node get(const std::string& key) {
    seen_.insert(key);
    if (!node_ || node_.IsNull()) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    YAML::Node child = node_[key];
    if (child && child.IsNull()) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    return child;
  }

  std::string key(const std::string& child) const { return join_key(path_, child); }

  std::optional<std::string> string(const std::string& k) {
    auto n = get(k);
    if (!n) {
      return std::nullopt;
    }
    if (!n.IsScalar()) {
      fail(key(k), "expected a string");
    }
    return n.Scalar();
  }

  std::string required_string(const std::string& k) {
    auto v = string(k);
    if (!v || v->empty()) {
      fail(key(k), "is required");
    }
    return *v;
  }

  std::optional<bool> boolean(const std::string& k) {
    auto n = get(k);
    if (!n) {
      return std::nullopt;
    }
    const auto& s = n.IsScalar() ? n.Scalar() : std::string();
    if (s == "true") {
      return true;
    }
    if (s == "false") {
      return false;
    }
    fail(key(k), "expected true or false");
  }

  /// An integer in [min, max].
  std::optional<std::uint64_t> integer(const std::string& k, std::uint64_t min, std::uint64_t max) {
    auto n = get(k);
    if (!n) {
      return std::nullopt;
    }
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      fail(key(k), "expected a whole number");
    }
    if (v < min || v > max) {
      fail(key(k), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return v;
  }

  std::optional<double> number(const std::string& k, double min, double max) {
    auto n = get(k);
    if (!n) {
      return std::nullopt;
    }
    double v = 0;
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
      fail(key(k), "expected a number");
    }
    if (v < min || v > max) {
      fail(key(k), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return v;
  }

  /// Fails on any key that no getter asked for.
  void finish() const {
    if (!node_ || !node_.IsMap()) {
      return;
    }
    for (const auto& item : node_) {
      const auto name = item.first.as<std::string>();
      if (!seen_.contains(name)) {
        fail(key(name), "unknown key");
      }
    }
  }

 private:
  YAML::Node node_;
  std::string path_;
  std::set<std::string> seen_;
};

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : (base / path).lexically_normal();
}

/// YAML → JSON for free-form values such as the support document.
nlohmann::json to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      auto obj = nlohmann::json::object();
      for (const auto& it : n) {
        obj[it.first.as<std::string>()] = to_json(it.second);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      auto arr = nlohmann::json::array();
      for (const auto& it : n) {
        arr.push_back(to_json(it));
      }
      return arr;
    }
    case YAML::NodeType::Scalar:
      return n.Scalar();
    default:
      return nullptr;
  }
}

ListenerConfig read_listener(const YAML::Node& node, const std::string& path) {
  MapReader r(node, path);
  ListenerConfig l = parse_listen_address(r.required_string("bind"), r.key("bind"));
  l.tls = r.boolean("tls").value_or(false);
  auto resources = r.get("resources");
  if (!resources || !resources.IsSequence() || resources.size() == 0) {
    fail(r.key("resources"), "expected a non-empty list of client, federation, metrics");
  }
  for (const auto& item : resources) {
    const std::string name = item.IsScalar() ? item.Scalar() : std::string();
    if (name == "client") {
      l.client = true;
    } else if (name == "federation") {
      l.federation = true;
    } else if (name == "metrics") {
      l.metrics = true;
    } else {
      fail(r.key("resources"), "unknown resource '" + name + "' (expected client, federation or metrics)");
    }
  }
  r.finish();
  return l;
}

/// An http(s) URL with a host and no white space, as clients need for `base_url`.
bool is_http_url(const std::string& url) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (url.starts_with(scheme)) {
      const auto rest = std::string_view(url).substr(scheme.size());
      return !rest.empty() && rest.front() != '/' && rest.find_first_of(" \t\r\n") == std::string_view::npos;
    }
  }
  return false;
}

/// Spec: client-server API, GET /.well-known/matrix/support: contacts (each with a role and an
/// email address or Matrix ID) and/or a support page.
void check_support(const nlohmann::json& support) {
  const std::string key = "well_known.support";
  const bool has_page = support.contains("support_page");
  if (has_page && !support["support_page"].is_string()) {
    fail(key + ".support_page", "expected a URL string");
  }
  const bool has_contacts = support.contains("contacts");
  if (!has_contacts && !has_page) {
    fail(key, "needs contacts, support_page or both");
  }
  if (has_contacts) {
    const auto& contacts = support["contacts"];
    if (!contacts.is_array() || contacts.empty()) {
      fail(key + ".contacts", "expected a non-empty list");
    }
    for (std::size_t i = 0; i < contacts.size(); ++i) {
      const auto& c = contacts[i];
      const std::string where = key + ".contacts[" + std::to_string(i) + "]";
      if (!c.is_object() || !c.contains("role") || !c["role"].is_string()) {
        fail(where, "each contact needs a role (e.g. m.role.admin)");
      }
      if (!c.contains("email_address") && !c.contains("matrix_id")) {
        fail(where, "each contact needs an email_address or a matrix_id");
      }
    }
  }
}

/// A rate: per_second and burst, each defaulting to `defaults`.
Rate read_rate(MapReader& r, const Rate& defaults) {
  Rate rate = defaults;
  rate.per_second = r.number("per_second", 0.001, 1e6).value_or(defaults.per_second);
  rate.burst = static_cast<std::uint32_t>(r.integer("burst", 1, 1'000'000).value_or(defaults.burst));
  return rate;
}

/// Spec: server-server API, "Server discovery"; the section is checked the way listeners are.
Federation read_federation(MapReader& r, const std::filesystem::path& base) {
  Federation f;
  if (auto overrides = r.get("server_overrides")) {
    if (!overrides.IsMap()) {
      fail(r.key("server_overrides"), "expected a mapping of server name to HOST:PORT");
    }
    for (const auto& item : overrides) {
      const auto name = item.first.as<std::string>();
      const auto key = r.key("server_overrides") + "." + name;
      if (!core::is_valid_server_name(name)) {
        fail(key, "'" + name + "' is not a valid server name");
      }
      if (!item.second.IsScalar()) {
        fail(key, "expected HOST:PORT");
      }
      const auto target = parse_listen_address(item.second.Scalar(), key);
      if (target.port == 0) {
        fail(key, "the port must be between 1 and 65535");
      }
      f.server_overrides[name] = item.second.Scalar();
    }
  }
  if (auto ca = r.string("ca_file")) {
    f.ca_file = resolve(base, *ca);
  }
  f.verify_tls = r.boolean("verify_tls").value_or(f.verify_tls);
  if (auto notaries = r.get("trusted_key_servers")) {
    if (!notaries.IsSequence()) {
      fail(r.key("trusted_key_servers"), "expected a list of server names");
    }
    for (std::size_t i = 0; i < notaries.size(); ++i) {
      const std::string name = notaries[i].IsScalar() ? notaries[i].Scalar() : std::string();
      if (!core::is_valid_server_name(name)) {
        fail(r.key("trusted_key_servers") + "[" + std::to_string(i) + "]", "'" + name + "' is not a valid server name");
      }
      f.trusted_key_servers.push_back(name);
    }
  }
  f.request_timeout_ms =
      static_cast<std::uint32_t>(r.integer("request_timeout_ms", 100, 600'000).value_or(f.request_timeout_ms));
  r.finish();
  return f;
}

Turn read_turn(MapReader& r) {
  Turn t;
  if (auto uris = r.get("uris")) {
    if (!uris.IsSequence()) {
      fail(r.key("uris"), "expected a list of turn:, turns: or stun: URIs");
    }
    for (std::size_t i = 0; i < uris.size(); ++i) {
      const std::string uri = uris[i].IsScalar() ? uris[i].Scalar() : std::string();
      if (!uri.starts_with("turn:") && !uri.starts_with("turns:") && !uri.starts_with("stun:")) {
        fail(r.key("uris") + "[" + std::to_string(i) + "]", "'" + uri + "' is not a turn:, turns: or stun: URI");
      }
      t.uris.push_back(uri);
    }
  }
  t.shared_secret = r.string("shared_secret");
  t.username = r.string("username");
  t.password = r.string("password");
  if (t.shared_secret && (t.username || t.password)) {
    fail(r.key("shared_secret"), "give either shared_secret or username and password, not both");
  }
  if (t.username.has_value() != t.password.has_value()) {
    fail(r.key(t.username ? "password" : "username"), "username and password go together");
  }
  t.user_lifetime_ms = r.integer("user_lifetime_ms", 1000, 604'800'000).value_or(t.user_lifetime_ms);
  r.finish();
  return t;
}

// "ADDRESS/PREFIX" with an IPv4 or IPv6 address and a prefix length that fits it.
bool is_cidr(const std::string& text) {
  const auto slash = text.find('/');
  const auto address = text.substr(0, slash);
  unsigned char buffer[16];
  int max_prefix = 0;
  if (::inet_pton(AF_INET, address.c_str(), buffer) == 1) {
    max_prefix = 32;
  } else if (::inet_pton(AF_INET6, address.c_str(), buffer) == 1) {
    max_prefix = 128;
  } else {
    return false;
  }
  if (slash == std::string::npos) {
    return true;
  }
  const auto prefix = text.substr(slash + 1);
  int value = -1;
  auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), value);
  return !prefix.empty() && ec == std::errc() && end == prefix.data() + prefix.size() && value >= 0 &&
         value <= max_prefix;
}

std::vector<std::string> read_cidrs(MapReader& r, const std::string& k, std::vector<std::string> fallback) {
  auto list = r.get(k);
  if (!list) {
    return fallback;
  }
  if (!list.IsSequence()) {
    fail(r.key(k), "expected a list of CIDR ranges such as 10.0.0.0/8 or fc00::/7");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string range = list[i].IsScalar() ? list[i].Scalar() : std::string();
    if (!is_cidr(range)) {
      fail(r.key(k) + "[" + std::to_string(i) + "]", "'" + range + "' is not an IP address or CIDR range");
    }
    out.push_back(range);
  }
  return out;
}

Media read_media(MapReader& r, const std::filesystem::path& base) {
  Media m;
  m.path = resolve(base, r.string("path").value_or("media"));
  m.max_upload_size = r.integer("max_upload_size", 1, 1ULL << 34).value_or(m.max_upload_size);
  m.allow_unauthenticated = r.boolean("allow_unauthenticated").value_or(m.allow_unauthenticated);
  m.max_thumbnail_pixels = r.integer("max_thumbnail_pixels", 1, 1ULL << 30).value_or(m.max_thumbnail_pixels);
  m.max_pending_uploads =
      static_cast<std::uint32_t>(r.integer("max_pending_uploads", 1, 100'000).value_or(m.max_pending_uploads));
  m.unused_expiry_ms = r.integer("unused_expiry_ms", 1000, 604'800'000).value_or(m.unused_expiry_ms);
  MapReader preview(r.get("url_preview"), r.key("url_preview"));
  m.url_preview.enabled = preview.boolean("enabled").value_or(m.url_preview.enabled);
  m.url_preview.ip_range_denylist = read_cidrs(preview, "ip_range_denylist", default_preview_ip_denylist());
  m.url_preview.ip_range_allowlist = read_cidrs(preview, "ip_range_allowlist", {});
  m.url_preview.max_page_bytes =
      preview.integer("max_page_bytes", 1024, 1ULL << 30).value_or(m.url_preview.max_page_bytes);
  m.url_preview.timeout_ms =
      static_cast<std::uint32_t>(preview.integer("timeout_ms", 100, 600'000).value_or(m.url_preview.timeout_ms));
  preview.finish();
  r.finish();
  return m;
}

}  // namespace

std::vector<std::string> default_preview_ip_denylist() {
  return {"0.0.0.0/8",     "10.0.0.0/8",      "100.64.0.0/10",   "127.0.0.0/8",    "169.254.0.0/16",
          "172.16.0.0/12", "192.0.0.0/24",    "192.0.2.0/24",    "192.88.99.0/24", "192.168.0.0/16",
          "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",  "224.0.0.0/4",    "240.0.0.0/4",
          "::/128",        "::1/128",         "::ffff:0:0/96",   "64:ff9b::/96",   "100::/64",
          "2001:db8::/32", "fc00::/7",        "fe80::/10",       "fec0::/10",      "ff00::/8"};
}

void check_database_url(const std::string& url, const std::string& key) {
  if (url.starts_with("sqlite://") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return;
  }
  fail(key, "expected a sqlite:///path or postgres://user:pass@host:port/db URL");
}


bool Config::any_tls() const {
  for (const auto& l : listeners) {
    if (l.tls) {
      return true;
    }
  }
  return false;
}

ListenerConfig parse_listen_address(const std::string& text, const std::string& key) {
  ListenerConfig l;
  std::string host;
  std::string port;
  if (text.starts_with("[")) {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      fail(key, "expected [IPv6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      fail(key, "expected HOST:PORT");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    fail(key, "'" + text + "' is not HOST:PORT with a port from 0 to 65535");
  }
  l.host = host;
  l.port = static_cast<std::uint16_t>(value);
  return l;
}

RegistrationMode parse_registration_mode(const std::string& text, const std::string& key) {
  if (text == "open") {
    return RegistrationMode::open;
  }
  if (text == "token") {
    return RegistrationMode::token;
  }
  if (text == "closed") {
    return RegistrationMode::closed;
  }
  fail(key, "expected open, token or closed");
}

Config parse_config(const std::string& yaml_text, const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError("(syntax): " + std::string(e.what()));
  }
  const auto base = file.parent_path();
  Config c;
  c.file = file;
  MapReader top(root, "");
  c.server_name = top.required_string("server_name");
  if (!core::is_valid_server_name(c.server_name)) {
    fail("server_name", "'" + c.server_name + "' is not a valid server name (hostname, IPv4 or [IPv6], optional :port)");
  }
  c.database = top.required_string("database");
  check_database_url(c.database, "database");
  if (c.database.starts_with("sqlite://")) {
    // sqlite://relative/path is taken relative to the config file, like every other path.
    auto path = c.database.substr(std::string_view("sqlite://").size());
    c.database = "sqlite://" + resolve(base, path).string();
  }
  c.signing_key = resolve(base, top.required_string("signing_key"));

  auto listeners = top.get("listeners");
  if (!listeners || !listeners.IsSequence() || listeners.size() == 0) {
    fail("listeners", "expected a non-empty list");
  }
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    c.listeners.push_back(read_listener(listeners[i], "listeners[" + std::to_string(i) + "]"));
  }

  MapReader tls(top.get("tls"), "tls");
  if (auto cert = tls.string("certificate")) {
    c.tls_certificate = resolve(base, *cert);
  }
  if (auto key = tls.string("private_key")) {
    c.tls_private_key = resolve(base, *key);
  }
  tls.finish();
  if (c.any_tls() && (c.tls_certificate.empty() || c.tls_private_key.empty())) {
    fail("tls", "a listener has tls: true, so tls.certificate and tls.private_key are required");
  }

  MapReader reg(top.get("registration"), "registration");
  if (auto mode = reg.string("mode")) {
    c.registration = parse_registration_mode(*mode, "registration.mode");
  }
  c.registration_shared_secret = reg.string("shared_secret");
  reg.finish();

  MapReader wk(top.get("well_known"), "well_known");
  c.well_known_server = wk.string("server");
  if (c.well_known_server && !core::is_valid_server_name(*c.well_known_server)) {
    fail("well_known.server", "'" + *c.well_known_server + "' is not a server name with an optional port");
  }
  c.well_known_client_base_url = wk.string("client_base_url");
  if (c.well_known_client_base_url && !is_http_url(*c.well_known_client_base_url)) {
    fail("well_known.client_base_url", "expected an http:// or https:// URL");
  }
  if (auto support = wk.get("support")) {
    if (!support.IsMap()) {
      fail("well_known.support", "expected a mapping (the /.well-known/matrix/support document)");
    }
    c.well_known_support = to_json(support);
    check_support(*c.well_known_support);
  }
  wk.finish();

  MapReader lim(top.get("limits"), "limits");
  c.limits.max_body_bytes = lim.integer("max_body_bytes", 1024, 1ULL << 32).value_or(c.limits.max_body_bytes);
  c.limits.max_header_bytes =
      static_cast<std::uint32_t>(lim.integer("max_header_bytes", 1024, 1 << 20).value_or(c.limits.max_header_bytes));
  c.limits.read_timeout_ms =
      static_cast<std::uint32_t>(lim.integer("read_timeout_ms", 100, 3'600'000).value_or(c.limits.read_timeout_ms));
  c.limits.max_connections =
      static_cast<std::uint32_t>(lim.integer("max_connections", 1, 1'000'000).value_or(c.limits.max_connections));
  lim.finish();

  MapReader rl(top.get("rate_limits"), "rate_limits");
  c.rate_limits.enabled = rl.boolean("enabled").value_or(c.rate_limits.enabled);
  c.rate_limits.fallback = read_rate(rl, c.rate_limits.fallback);
  if (auto endpoints = rl.get("endpoints")) {
    if (!endpoints.IsMap()) {
      fail("rate_limits.endpoints", "expected a mapping of operationId to {per_second, burst}");
    }
    for (const auto& item : endpoints) {
      const auto name = item.first.as<std::string>();
      MapReader one(item.second, "rate_limits.endpoints." + name);
      c.rate_limits.endpoints[name] = read_rate(one, c.rate_limits.fallback);
      one.finish();
    }
  }
  rl.finish();

  MapReader pw(top.get("password_hashing"), "password_hashing");
  c.password_hashing.memory_kib = pw.integer("memory_kib", 8, 4ULL << 20).value_or(c.password_hashing.memory_kib);
  c.password_hashing.iterations = pw.integer("iterations", 1, 100).value_or(c.password_hashing.iterations);
  pw.finish();

  MapReader sess(top.get("sessions"), "sessions");
  c.sessions.login_tokens = sess.boolean("login_tokens").value_or(c.sessions.login_tokens);
  c.sessions.login_token_lifetime_ms =
      sess.integer("login_token_lifetime_ms", 1000, 86'400'000).value_or(c.sessions.login_token_lifetime_ms);
  c.sessions.refreshable_access_token_lifetime_ms =
      sess.integer("refreshable_access_token_lifetime_ms", 1000, 2'592'000'000)
          .value_or(c.sessions.refreshable_access_token_lifetime_ms);
  sess.finish();

  MapReader pres(top.get("presence"), "presence");
  c.presence_enabled = pres.boolean("enabled").value_or(c.presence_enabled);
  pres.finish();

  MapReader fed(top.get("federation"), "federation");
  c.federation = read_federation(fed, base);

  MapReader turn(top.get("turn"), "turn");
  c.turn = read_turn(turn);

  MapReader media(top.get("media"), "media");
  c.media = read_media(media, base);

  // Application service registration files (docs/appservices.md); read by `serve`.
  if (auto files = top.get("app_services"); files && !files.IsNull()) {
    if (!files.IsSequence()) {
      fail("app_services", "expected a list of registration file paths");
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!files[i].IsScalar() || files[i].Scalar().empty()) {
        fail("app_services[" + std::to_string(i) + "]", "expected a registration file path");
      }
      c.app_services.push_back(resolve(base, files[i].Scalar()));
    }
  }

  MapReader log(top.get("log"), "log");
  c.log_requests = log.boolean("requests").value_or(true);
  log.finish();

  top.finish();
  return c;
}

Config load_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ConfigError("(file): cannot read " + file.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), std::filesystem::absolute(file));
}

}  // namespace ranvier::config
