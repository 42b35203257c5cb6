#pragma once
// Access tokens: opaque strings handed to clients, each bound to one device.

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

/// Who a token belongs to.
struct TokenOwner {
  std::string user_id;
  std::string device_id;
  bool is_guest = false;
  bool is_admin = false;
  std::int64_t created_ts = 0;
  std::optional<std::int64_t> expires_ts{};

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
};

/// A fresh random access token (256 bits, URL-safe base64 with a `rvt_` prefix). Callers may
/// mint tokens any other way; the store accepts any string.
std::string generate_access_token();

}  // namespace ranvier::storage
