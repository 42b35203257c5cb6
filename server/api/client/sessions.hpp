#pragma once
// Creating accounts and logging devices in: shared by /register, /login and the
// Synapse-compatible admin registration, so they all create the same rows.

#include "api/clock.hpp"
#include "api/password_hash.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::storage {
class WriteTx;
}

namespace ranvier::api {

struct Services;

/// Prefixes that tell Ranvier's token kinds apart when one shows up in a log or a report.
inline constexpr std::string_view refresh_token_prefix = "rvr_";
inline constexpr std::string_view login_token_prefix = "rvl_";

/// A device's new access token.
struct LoginResult {
  std::string user_id;
  std::string device_id;
  std::string access_token;
  /// Set when the client asked for a refresh token (spec: "Refreshing access tokens").
  std::optional<std::string> refresh_token{};
  /// The access token's lifetime; nullopt: it does not expire.
  std::optional<std::int64_t> expires_in_ms{};
};

/// The Argon2id cost configured for this server.
PasswordCost password_cost(const Services& services);

/// Throws M_INVALID_USERNAME unless `localpart` may be registered on this server
/// (spec: appendices "User Identifiers"; the full ID must fit in 255 bytes).
void check_new_localpart(const Services& services, const std::string& localpart);

/// Creates (or reuses) `device_id` for `user_id` — a random one when absent — and issues an
/// access token for it, inside the caller's transaction. The login counts as the device being
/// seen from `client_ip`. With `refreshable_lifetime_ms` the access token expires after that
/// long and comes with a refresh token.
LoginResult log_device_in(storage::WriteTx& tx, const std::string& user_id,
                          const std::optional<std::string>& device_id,
                          const std::optional<std::string>& display_name, const std::string& client_ip,
                          std::optional<std::int64_t> refreshable_lifetime_ms = std::nullopt);

/// The access token lifetime for a login or registration that asked for a refresh token
/// (`refresh_token: true` in the request), nullopt when it did not.
std::optional<std::int64_t> refreshable_lifetime(const Services& services, const std::optional<bool>& requested);

/// Gives a new account its first profile: the display name defaults to the localpart, as
/// Synapse does, so other users see a name rather than nothing.
void create_initial_profile(storage::WriteTx& tx, const std::string& user_id, const std::string& display_name);

/// The JSON body /register and /login answer with.
nlohmann::json login_response(const Services& services, const LoginResult& login);

}  // namespace ranvier::api
