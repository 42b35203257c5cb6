#include "federation/identity_client.hpp"

#include "core/base64.hpp"
#include "core/sha256.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ranvier::federation {

using core::fail;

namespace {

/// host and port of an `id_server` ("id.example.org", "id.example.org:8090", "[::1]:8090").
std::optional<std::pair<std::string, std::uint16_t>> split_server(const std::string& id_server) {
  std::string host = id_server;
  std::uint16_t port = 443;
  std::string port_text;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) {
      return std::nullopt;
    }
    port_text = close + 1 < host.size() && host[close + 1] == ':' ? host.substr(close + 2) : "";
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string::npos) {
    port_text = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (!port_text.empty()) {
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0) {
      return std::nullopt;
    }
  }
  const bool name_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
  });
  if (!name_ok) {
    return std::nullopt;
  }
  return std::pair{host, port};
}

IdentityError local_error(std::string message) { return IdentityError{0, "", std::move(message)}; }

}  // namespace

std::string lookup_hash(const std::string& address, const std::string& medium, const std::string& pepper) {
  return core::base64url_encode(core::as_bytes(core::sha256(address + " " + medium + " " + pepper)));
}

core::Expected<nlohmann::json, IdentityError> IdentityClient::call(const std::string& method,
                                                                   const std::string& id_server,
                                                                   const std::string& path,
                                                                   const std::string& access_token,
                                                                   const nlohmann::json* body) {
  const auto where = split_server(id_server);
  if (!where) {
    return fail(local_error("not a server name: " + id_server));
  }
  http::ClientRequest req;
  req.method = method;
  req.tls = true;
  req.connect_host = where->first;
  req.port = where->second;
  req.host_header = id_server;
  req.target = "/_matrix/identity/v2" + path;
  req.headers.emplace_back("Authorization", "Bearer " + access_token);
  if (body != nullptr) {
    req.body = body->dump();
    req.headers.emplace_back("Content-Type", "application/json");
  }
  auto response = http_.request(req);
  if (!response) {
    return fail(local_error(id_server + " could not be reached: " + response.error().message));
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status < 200 || response->status >= 300) {
    IdentityError error{response->status, "", "the identity server answered " + std::to_string(response->status)};
    if (json.is_object()) {
      error.errcode = json.value("errcode", "");
      if (json.contains("error") && json["error"].is_string()) {
        error.message = json["error"].get<std::string>();
      }
    }
    return fail(std::move(error));
  }
  if (!json.is_object()) {
    return fail(local_error(id_server + " answered " + path + " with something other than a JSON object"));
  }
  return json;
}

core::Expected<std::optional<std::string>, IdentityError> IdentityClient::lookup(const std::string& id_server,
                                                                                const std::string& access_token,
                                                                                const std::string& medium,
                                                                                const std::string& address) {
  auto details = call("GET", id_server, "/hash_details", access_token, nullptr);
  if (!details) {
    return fail(details.error());
  }
  const auto algorithms = details->value("algorithms", nlohmann::json::array());
  const auto offers = [&](const char* name) {
    return algorithms.is_array() && std::find(algorithms.begin(), algorithms.end(), name) != algorithms.end();
  };
  const auto pepper = details->value("lookup_pepper", nlohmann::json());
  nlohmann::json request;
  std::string key;
  if (offers("sha256") && pepper.is_string()) {
    key = lookup_hash(address, medium, pepper.get<std::string>());
    request = {{"addresses", {key}}, {"algorithm", "sha256"}, {"pepper", pepper}};
  } else if (offers("none")) {
    key = address + " " + medium;
    request = {{"addresses", {key}}, {"algorithm", "none"}, {"pepper", pepper.is_string() ? pepper : ""}};
  } else {
    return fail(local_error(id_server + " offers no lookup algorithm this server knows"));
  }
  auto answer = call("POST", id_server, "/lookup", access_token, &request);
  if (!answer) {
    return fail(answer.error());
  }
  const auto mappings = answer->value("mappings", nlohmann::json::object());
  if (mappings.is_object() && mappings.contains(key) && mappings[key].is_string()) {
    return std::optional<std::string>(mappings[key].get<std::string>());
  }
  return std::optional<std::string>();
}

core::Expected<StoredInvite, IdentityError> IdentityClient::store_invite(const std::string& id_server,
                                                                         const std::string& access_token,
                                                                         const nlohmann::json& request) {
  auto answer = call("POST", id_server, "/store-invite", access_token, &request);
  if (!answer) {
    return fail(answer.error());
  }
  StoredInvite invite;
  const auto keys = answer->value("public_keys", nlohmann::json());
  const bool keys_ok = keys.is_array() && !keys.empty() && std::all_of(keys.begin(), keys.end(), [](const auto& k) {
    return k.is_object() && k.contains("public_key") && k["public_key"].is_string() &&
           k.contains("key_validity_url") && k["key_validity_url"].is_string();
  });
  const auto token = answer->value("token", nlohmann::json());
  const auto name = answer->value("display_name", nlohmann::json());
  if (!keys_ok || !token.is_string() || token.get<std::string>().empty() || !name.is_string()) {
    return fail(local_error(id_server + " answered store-invite without a token, display name and public keys"));
  }
  invite.token = token.get<std::string>();
  invite.display_name = name.get<std::string>();
  invite.public_keys = keys;
  return invite;
}

}  // namespace ranvier::federation
