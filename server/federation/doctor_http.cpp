#include "federation/doctor_http.hpp"

#include "core/identifiers.hpp"

#include <algorithm>
#include <charconv>

namespace ranvier::federation::doctor {
namespace {

using core::fail;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

std::string unbracket(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

/// Splits at colons outside square brackets.
std::vector<std::string_view> split_fields(std::string_view spec) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  bool in_brackets = false;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == '[') {
      in_brackets = true;
    } else if (spec[i] == ']') {
      in_brackets = false;
    } else if (spec[i] == ':' && !in_brackets) {
      fields.push_back(spec.substr(start, i - start));
      start = i + 1;
    }
  }
  fields.push_back(spec.substr(start));
  return fields;
}

}  // namespace

core::Expected<ConnectTo, std::string> parse_connect_to(std::string_view spec) {
  const auto fields = split_fields(spec);
  const std::string usage = "--connect-to wants NAME:PORT:HOST:PORT, not '" + std::string(spec) + "'";
  if (fields.size() != 4) {
    return fail(usage);
  }
  const auto from = core::parse_server_name(fields[0]);
  const auto to = core::parse_server_name(fields[2]);
  const auto port = parse_port(fields[1]);
  const auto to_port = parse_port(fields[3]);
  if (!from || from->port || !to || to->port || !port || !to_port) {
    return fail(usage);
  }
  return ConnectTo{lower(unbracket(from->host)), *port, unbracket(to->host), *to_port};
}

std::pair<std::string, std::uint16_t> connect_destination(const std::vector<ConnectTo>& rules, std::string_view host,
                                                          std::uint16_t port) {
  const auto name = lower(host);
  for (const auto& rule : rules) {
    if (rule.name == name && rule.port == port) {
      return {rule.host, rule.to_port};
    }
  }
  return {std::string(host), port};
}

core::Expected<http::ClientResponse, http::ClientError> Transport::get(std::string connect_host, std::uint16_t port,
                                                                       std::string host_header, std::string tls_name,
                                                                       std::string target, bool tls) {
  http::ClientRequest request;
  request.method = "GET";
  request.tls = tls;
  request.tls_name = tls_name.empty() ? connect_host : std::move(tls_name);
  std::tie(request.connect_host, request.port) = destination(connect_host, port);
  request.host_header = std::move(host_header);
  request.target = std::move(target);
  return client_.request(request);
}

core::Expected<http::ClientResponse, http::ClientError> Transport::get(const core::HttpUrl& url) {
  // A base URL's path is trimmed of its slashes before paths are appended, so it may be empty.
  return get(url.host, url.port, url.host_header(), url.host, url.target.empty() ? "/" : url.target, url.tls);
}

}  // namespace ranvier::federation::doctor
