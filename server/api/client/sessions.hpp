#pragma once
// Creating accounts and logging devices in: shared by /register, /login and the
// Synapse-compatible admin registration, so they all create the same rows.

#include "api/clock.hpp"
#include "api/password_hash.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ranvier::storage {
class WriteTx;
}

namespace ranvier::api {

struct Services;

/// A device's new access token.
struct LoginResult {
  std::string user_id;
  std::string device_id;
  std::string access_token;
};

/// The Argon2id cost configured for this server.
PasswordCost password_cost(const Services& services);

/// Throws M_INVALID_USERNAME unless `localpart` may be registered on this server
/// (spec: appendices "User Identifiers"; the full ID must fit in 255 bytes).
void check_new_localpart(const Services& services, const std::string& localpart);

/// Creates (or reuses) `device_id` for `user_id` — a random one when absent — and issues an
/// access token for it, inside the caller's transaction. The login counts as the device being
/// seen from `client_ip`.
LoginResult log_device_in(storage::WriteTx& tx, const std::string& user_id,
                          const std::optional<std::string>& device_id,
                          const std::optional<std::string>& display_name, const std::string& client_ip);

/// Gives a new account its first profile: the display name defaults to the localpart, as
/// Synapse does, so other users see a name rather than nothing.
void create_initial_profile(storage::WriteTx& tx, const std::string& user_id, const std::string& display_name);

/// The JSON body /register and /login answer with.
nlohmann::json login_response(const Services& services, const LoginResult& login);

}  // namespace ranvier::api
