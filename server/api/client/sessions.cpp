#include "api/client/sessions.hpp"

#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <chrono>

namespace ranvier::api {

PasswordCost password_cost(const Services& services) {
  return PasswordCost{services.config.password_hashing.memory_kib, services.config.password_hashing.iterations};
}

void check_new_localpart(const Services& services, const std::string& localpart) {
  if (localpart.empty() || !core::is_valid_user_localpart(localpart)) {
    throw MatrixError(ErrCode::invalid_username,
                      "User ID localparts may only contain a-z, 0-9, and the characters . _ = - / +");
  }
  if (1 + localpart.size() + 1 + services.config.server_name.size() > 255) {
    throw MatrixError(ErrCode::invalid_username, "User ID is longer than 255 bytes");
  }
}

namespace {

/// Ten upper-case letters, as Synapse makes them: easy to read out when verifying devices.
std::string random_device_id() {
  std::string id(10, 'A');
  for (auto& c : id) {
    c = static_cast<char>('A' + randombytes_uniform(26));
  }
  return id;
}

}  // namespace

std::optional<std::int64_t> refreshable_lifetime(const Services& services, const std::optional<bool>& requested) {
  if (!requested.value_or(false)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(services.config.sessions.refreshable_access_token_lifetime_ms);
}

LoginResult log_device_in(storage::WriteTx& tx, const std::string& user_id,
                          const std::optional<std::string>& device_id,
                          const std::optional<std::string>& display_name, const std::string& client_ip,
                          std::optional<std::int64_t> refreshable_lifetime_ms) {
  LoginResult result{user_id, device_id.value_or(random_device_id()), storage::generate_access_token()};
  const auto now = now_ms();
  if (!tx.devices().get(user_id, result.device_id)) {
    storage::Device device;
    device.user_id = user_id;
    device.device_id = result.device_id;
    device.display_name = display_name;
    device.created_ts = now;
    device.last_seen_ts = now;
    device.last_seen_ip = client_ip;
    tx.devices().create(device);
  } else {
    tx.devices().touch(user_id, result.device_id, now, client_ip);
  }
  storage::NewAccessToken token;
  token.token = result.access_token;
  token.user_id = user_id;
  token.device_id = result.device_id;
  token.created_ts = now;
  if (refreshable_lifetime_ms) {
    token.expires_ts = now + *refreshable_lifetime_ms;
    result.expires_in_ms = refreshable_lifetime_ms;
    result.refresh_token = storage::generate_token(refresh_token_prefix);
    tx.tokens().create_refresh_token({*result.refresh_token, user_id, result.device_id, now});
  }
  tx.tokens().create(token);
  return result;
}

void create_initial_profile(storage::WriteTx& tx, const std::string& user_id, const std::string& display_name) {
  tx.profiles().put(user_id, nlohmann::json{{"displayname", display_name}}.dump());
}

nlohmann::json login_response(const Services& services, const LoginResult& login) {
  nlohmann::json body{
      {"user_id", login.user_id},
      {"access_token", login.access_token},
      {"device_id", login.device_id},
      // Deprecated in the spec but still read by older clients and SyTest.
      {"home_server", services.config.server_name},
  };
  if (login.refresh_token) {
    body["refresh_token"] = *login.refresh_token;
  }
  if (login.expires_in_ms) {
    body["expires_in_ms"] = *login.expires_in_ms;
  }
  return body;
}

}  // namespace ranvier::api
