#pragma once
// OpenID tokens (client-server API, "OpenID"): issued to a local user by
// POST /user/{userId}/openid/request_token, exchanged by other servers for the user's ID at
// GET /_matrix/federation/v1/openid/userinfo.

#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::api {

/// How long an OpenID token stays valid (Synapse's hour).
inline constexpr std::int64_t openid_token_lifetime_ms = 3'600'000;

/// Issues a new token for `user_id`, valid for openid_token_lifetime_ms from `now_ms`.
std::string issue_openid_token(storage::Database& db, const std::string& user_id, std::int64_t now_ms);

/// The user an unexpired token was issued to; nullopt for unknown or expired tokens.
std::optional<std::string> lookup_openid_token(storage::Database& db, std::string_view token, std::int64_t now_ms);

}  // namespace ranvier::api
