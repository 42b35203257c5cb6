#pragma once
// Access tokens: opaque strings handed to clients, each bound to one device. Also the tokens
// that lead to one: single-use login tokens (m.login.token) and refresh tokens.

#include "storage/accounts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::storage {

/// A token to store. The token itself is kept only as a SHA-256 digest, so a copy of the
/// database does not hand out working tokens.
struct NewAccessToken {
  std::string token;
  std::string user_id;
  std::string device_id;
  /// Milliseconds since the Unix epoch.
  std::int64_t created_ts = 0;
  /// When the token stops being valid (refresh-token flows); nullopt: never.
  std::optional<std::int64_t> expires_ts{};
};

/// A single-use login token (spec: POST /login/get_token), stored as a SHA-256 digest.
struct NewLoginToken {
  std::string token;
  std::string user_id;
  std::int64_t created_ts = 0;
  std::int64_t expires_ts = 0;
};

/// A refresh token for an existing device, stored as a SHA-256 digest.
struct NewRefreshToken {
  std::string token;
  std::string user_id;
  std::string device_id;
  std::int64_t created_ts = 0;
};

/// What exchanging a refresh token issues: a new refresh token and a new access token for the
/// same device.
struct RefreshExchange {
  std::string refresh_token;
  std::string access_token;
  std::int64_t created_ts = 0;
  /// When the new access token expires; nullopt: never.
  std::optional<std::int64_t> expires_ts{};
};

/// Who a refresh token was exchanged for.
struct RefreshedDevice {
  std::string user_id;
  std::string device_id;

  bool operator==(const RefreshedDevice&) const = default;
};

/// Who a token belongs to.
struct TokenOwner {
  std::string user_id;
  std::string device_id;
  bool is_guest = false;
  bool is_admin = false;
  std::int64_t created_ts = 0;
  std::optional<std::int64_t> expires_ts{};
  /// Set until the first use of a token issued by a refresh: that use revokes the refresh token
  /// it was exchanged for (TokenStore::retire_replaced_refresh_token).
  bool retires_refresh_token = false;
  /// The account's moderation flags (Account::locked, Account::suspended), read with the token
  /// so that every request sees them without a second query.
  bool locked = false;
  bool suspended = false;
  /// When the device's last request was recorded (DeviceStore::record_request); nullopt when
  /// none was since the device logged in with no user agent recorded.
  std::optional<std::int64_t> request_seen_ts{};

  /// True once `now_ts` (ms since the epoch) reaches the expiry; the spec then wants
  /// M_UNKNOWN_TOKEN with soft_logout.
  bool expired_at(std::int64_t now_ts) const { return expires_ts && now_ts >= *expires_ts; }

  bool operator==(const TokenOwner&) const = default;
};

/// Token queries available in any transaction.
class TokenReads {
 public:
  virtual ~TokenReads() = default;

  /// The owner of a token; nullopt for unknown tokens and tokens of deactivated accounts.
  /// Expired tokens are returned (check `expired_at`) so the caller can answer soft_logout.
  virtual std::optional<TokenOwner> lookup(std::string_view token) = 0;
};

/// Token changes, available in write transactions.
class TokenStore : public TokenReads {
 public:
  /// Stores a token for an existing device (ErrorKind::constraint otherwise); `exists` if the
  /// same token string is already stored.
  virtual CreateResult create(const NewAccessToken& token) = 0;

  /// Deletes one token (logout); false if it was unknown.
  virtual bool remove(std::string_view token) = 0;

  /// Deletes every token of one device; returns how many.
  virtual std::int64_t remove_for_device(std::string_view user_id, std::string_view device_id) = 0;

  /// Deletes every token of a user (logout/all); returns how many.
  virtual std::int64_t remove_for_user(std::string_view user_id) = 0;

  /// Stores a login token; also deletes login tokens that expired by `token.created_ts`.
  /// `exists` if the same token string is already stored.
  virtual CreateResult create_login_token(const NewLoginToken& token) = 0;

  /// Uses up a login token: its user, or nullopt when the token is unknown, already used or
  /// expired at `now_ts`. The token is gone afterwards either way.
  virtual std::optional<std::string> consume_login_token(std::string_view token, std::int64_t now_ts) = 0;

  /// Stores a refresh token for an existing device (ErrorKind::constraint otherwise); `exists`
  /// if the same token string is already stored.
  virtual CreateResult create_refresh_token(const NewRefreshToken& token) = 0;

  /// Exchanges `refresh_token` for `issued` (spec: POST /refresh): nullopt when the refresh
  /// token is unknown, revoked, or its account deactivated. The old refresh token stays valid
  /// until the new refresh token or access token is first used; exchanging it again replaces
  /// what the earlier exchange issued. Locks the old token's row until the transaction ends.
  virtual std::optional<RefreshedDevice> exchange_refresh_token(std::string_view refresh_token,
                                                                const RefreshExchange& issued) = 0;

  /// At the first use of an access token issued by a refresh (TokenOwner::retires_refresh_token):
  /// revokes the refresh token it was exchanged for. False if there was nothing to do.
  ///
  /// Revoking a refresh token, here or in exchange_refresh_token, also deletes the device's
  /// access tokens expired by `now_ts` (exchange: `issued.created_ts`).
  virtual bool retire_replaced_refresh_token(std::string_view access_token, std::int64_t now_ts) = 0;
};

/// A fresh random token: `prefix` then 256 random bits in URL-safe base64. Callers may mint
/// tokens any other way; the stores accept any string.
std::string generate_token(std::string_view prefix);

/// A fresh access token (`rvt_` prefix).
std::string generate_access_token();

}  // namespace ranvier::storage
