#include "federation/discovery.hpp"

#include "core/identifiers.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace ranvier::federation {
namespace {

using core::fail;

constexpr std::uint16_t default_port = 8448;

bool is_ipv4(std::string_view host) {
  int parts = 0;
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = host.find('.', start);
    const auto part = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || ec != std::errc() || end != part.data() + part.size() || value > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return parts == 4;
}

/// The host of a parsed server name as an IP literal without brackets, or nullopt for a
/// host name.
std::optional<std::string> ip_literal(const std::string& host) {
  if (host.starts_with('[') && host.ends_with(']')) {
    return host.substr(1, host.size() - 2);
  }
  if (is_ipv4(host)) {
    return host;
  }
  return std::nullopt;
}

std::string with_port(const std::string& host, std::optional<std::uint16_t> port) {
  return port ? host + ":" + std::to_string(*port) : host;
}

/// RFC 2782: the lowest priority wins; among equals, pick at random weighted by `weight`.
SrvRecord pick(std::vector<SrvRecord> records) {
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.priority < b.priority; });
  const auto first_priority = records.front().priority;
  std::vector<SrvRecord> best;
  std::uint32_t total = 0;
  for (auto& r : records) {
    if (r.priority == first_priority) {
      total += r.weight;
      best.push_back(std::move(r));
    }
  }
  if (total == 0) {
    return best.front();
  }
  thread_local std::mt19937 random{std::random_device{}()};
  auto roll = std::uniform_int_distribution<std::uint32_t>(0, total - 1)(random);
  for (auto& r : best) {
    if (roll < r.weight) {
      return r;
    }
    roll -= r.weight;
  }
  return best.back();
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

}  // namespace

std::optional<std::chrono::seconds> cache_max_age(std::string_view cache_control) {
  std::optional<std::chrono::seconds> result;
  std::size_t start = 0;
  while (start < cache_control.size()) {
    auto comma = cache_control.find(',', start);
    if (comma == std::string_view::npos) {
      comma = cache_control.size();
    }
    auto directive = cache_control.substr(start, comma - start);
    start = comma + 1;
    while (!directive.empty() && (directive.front() == ' ' || directive.front() == '\t')) {
      directive.remove_prefix(1);
    }
    while (!directive.empty() && (directive.back() == ' ' || directive.back() == '\t')) {
      directive.remove_suffix(1);
    }
    const auto name = lower(directive.substr(0, directive.find('=')));
    if (name == "no-store" || name == "no-cache") {
      return std::chrono::seconds(0);
    }
    if (name == "max-age" && directive.size() > name.size() + 1) {
      auto value = directive.substr(name.size() + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      std::int64_t seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
        result = std::chrono::seconds(seconds);
      } else if (ec == std::errc::result_out_of_range) {
        result = std::chrono::seconds(INT32_MAX);
      }
    }
  }
  return result;
}

ServerResolver::ServerResolver(std::map<std::string, std::string, std::less<>> overrides, SrvResolver& srv,
                               WellKnownFetcher& well_known, std::function<std::int64_t()> now_ms,
                               WellKnownCachePolicy policy)
    : overrides_(std::move(overrides)),
      srv_(srv),
      well_known_(well_known),
      now_ms_(std::move(now_ms)),
      policy_(policy) {}

void ServerResolver::forget(std::string_view hostname) {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(hostname); it != cache_.end()) {
    cache_.erase(it);
  }
  std::erase_if(srv_cache_, [&](const auto& entry) { return entry.first.ends_with("." + std::string(hostname)); });
}

std::optional<std::string> ServerResolver::well_known(const std::string& hostname) {
  const auto now = now_ms_();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(hostname); it != cache_.end() && it->second.expires_ms > now) {
      return it->second.server;
    }
  }
  auto result = well_known_.fetch(hostname);
  std::chrono::seconds ttl = policy_.error_ttl;
  if (result.server) {
    ttl = std::min(result.max_age.value_or(policy_.default_ttl), policy_.max_ttl);
  } else if (result.max_age) {
    // A failure may ask for less caching than the default for errors, never for more.
    ttl = std::min(*result.max_age, policy_.error_ttl);
  }
  if (ttl.count() > 0) {
    std::lock_guard lock(mutex_);
    cache_[hostname] = CachedWellKnown{result.server, now + std::chrono::milliseconds(ttl).count()};
  }
  return result.server;
}

std::vector<SrvRecord> ServerResolver::srv_records(const std::string& name) {
  const auto now = now_ms_();
  {
    std::lock_guard lock(mutex_);
    if (auto it = srv_cache_.find(name); it != srv_cache_.end() && it->second.expires_ms > now) {
      return it->second.records;
    }
  }
  auto records = srv_.lookup(name);
  // A target of "." means "no service here" (RFC 2782).
  std::erase_if(records, [](const SrvRecord& r) { return r.target.empty() || r.target == "."; });
  std::lock_guard lock(mutex_);
  srv_cache_[name] = CachedSrv{records, now + std::chrono::milliseconds(policy_.srv_ttl).count()};
  return records;
}

std::optional<SrvRecord> ServerResolver::srv(const std::string& hostname) {
  // `_matrix-fed._tcp` since spec v1.8; `_matrix._tcp` before it, still looked up.
  for (const char* prefix : {"_matrix-fed._tcp.", "_matrix._tcp."}) {
    auto records = srv_records(prefix + hostname);
    if (!records.empty()) {
      auto record = pick(std::move(records));
      if (record.target.ends_with('.')) {
        record.target.pop_back();
      }
      return record;
    }
  }
  return std::nullopt;
}

core::Expected<ResolvedServer, std::string> ServerResolver::resolve(std::string_view server_name) {
  const auto name = core::parse_server_name(server_name);
  if (!name) {
    return fail("'" + std::string(server_name) + "' is not a server name");
  }
  const std::string tls_host = ip_literal(name->host).value_or(name->host);
  if (auto it = overrides_.find(server_name); it != overrides_.end()) {
    // The config checked the form: HOST:PORT or [IPv6]:PORT.
    const auto& target = it->second;
    const auto colon = target.rfind(':');
    std::string host = target.substr(0, colon);
    if (host.starts_with('[')) {
      host = host.substr(1, host.size() - 2);
    }
    std::uint16_t port = default_port;
    std::from_chars(target.data() + colon + 1, target.data() + target.size(), port);
    return ResolvedServer{host, port, std::string(server_name), tls_host};
  }
  // 1. IP literal; 2. host name with an explicit port.
  if (auto ip = ip_literal(name->host)) {
    return ResolvedServer{*ip, name->port.value_or(default_port), std::string(server_name), *ip};
  }
  if (name->port) {
    return ResolvedServer{name->host, *name->port, std::string(server_name), name->host};
  }
  // 3. Delegation through /.well-known/matrix/server.
  if (auto delegated = well_known(name->host)) {
    const auto target = core::parse_server_name(*delegated);
    if (target) {
      if (auto ip = ip_literal(target->host)) {
        return ResolvedServer{*ip, target->port.value_or(default_port), with_port(target->host, target->port), *ip};
      }
      if (target->port) {
        return ResolvedServer{target->host, *target->port, with_port(target->host, target->port), target->host};
      }
      if (auto record = srv(target->host)) {
        return ResolvedServer{record->target, record->port, target->host, target->host};
      }
      return ResolvedServer{target->host, default_port, target->host, target->host};
    }
  }
  // 4. SRV for the server name itself; 5. the name at port 8448.
  if (auto record = srv(name->host)) {
    return ResolvedServer{record->target, record->port, name->host, name->host};
  }
  return ResolvedServer{name->host, default_port, name->host, name->host};
}

}  // namespace ranvier::federation
