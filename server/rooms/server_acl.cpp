#include "rooms/server_acl.hpp"

#include "push/glob.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <string>

namespace ranvier::rooms {
namespace {

/// The host part of a server name: without the port, IPv6 brackets kept.
std::string_view host_of(std::string_view server) {
  if (server.starts_with("[")) {
    auto end = server.find(']');
    return end == std::string_view::npos ? server : server.substr(0, end + 1);
  }
  auto colon = server.rfind(':');
  return colon == std::string_view::npos ? server : server.substr(0, colon);
}

bool is_ip_literal(std::string_view host) {
  if (host.starts_with("[")) {
    return true;
  }
  unsigned char buf[sizeof(struct in6_addr)];
  return ::inet_pton(AF_INET, std::string(host).c_str(), buf) == 1;
}

bool any_matches(const nlohmann::json& patterns, std::string_view host) {
  if (!patterns.is_array()) {
    return false;
  }
  return std::any_of(patterns.begin(), patterns.end(), [&](const nlohmann::json& p) {
    return p.is_string() && push::Glob(p.get<std::string>()).matches(host, push::GlobScope::whole_value);
  });
}

}  // namespace

bool server_acl_allows(const nlohmann::json& content, std::string_view server) {
  if (!content.is_object()) {
    return true;
  }
  const auto host = host_of(server);
  const auto ip_literals = content.find("allow_ip_literals");
  const bool allow_ip = ip_literals == content.end() || !ip_literals->is_boolean() || ip_literals->get<bool>();
  if (!allow_ip && is_ip_literal(host)) {
    return false;
  }
  if (content.contains("deny") && any_matches(content["deny"], host)) {
    return false;
  }
  return content.contains("allow") && any_matches(content["allow"], host);
}

}  // namespace ranvier::rooms
