#include "storage/sql/stores.hpp"

#include "storage/errors.hpp"

#include <openssl/sha.h>

#include <array>

namespace ranvier::storage::sql {

std::string token_digest(std::string_view token) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char byte : digest) {
    out.push_back(hex[byte >> 4]);
    out.push_back(hex[byte & 0x0f]);
  }
  return out;
}

std::optional<TokenOwner> SqlTokenStore::lookup(std::string_view token) {
  const std::string digest = token_digest(token);
  auto rows = session_.query(sql_.lookup, {std::string_view(digest)});
  if (rows.empty()) {
    return std::nullopt;
  }
  const Row& row = rows.front();
  return TokenOwner{
      .user_id = row.at(0).as_text(),
      .device_id = row.at(1).as_text(),
      .is_guest = row.at(2).as_bool(),
      .is_admin = row.at(3).as_bool(),
      .created_ts = row.at(4).as_int(),
      .expires_ts = row.at(5).as_optional_int(),
      .retires_refresh_token = row.at(6).as_bool(),
      .locked = row.at(7).as_bool(),
      .suspended = row.at(8).as_bool(),
      .request_seen_ts = row.at(9).as_optional_int(),
  };
}

CreateResult SqlTokenStore::create(const NewAccessToken& token) {
  const std::string digest = token_digest(token.token);
  std::int64_t inserted =
      session_.execute(sql_.insert, {std::string_view(digest), std::string_view(token.user_id),
                                     std::string_view(token.device_id), token.created_ts,
                                     nullable(token.expires_ts), nullptr});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

bool SqlTokenStore::remove(std::string_view token) {
  const std::string digest = token_digest(token);
  return session_.execute(sql_.remove, {std::string_view(digest)}) > 0;
}

std::int64_t SqlTokenStore::remove_for_device(std::string_view user_id,
                                              std::string_view device_id) {
  return session_.execute(sql_.remove_for_device, {user_id, device_id});
}

std::int64_t SqlTokenStore::remove_for_user(std::string_view user_id) {
  return session_.execute(sql_.remove_for_user, {user_id});
}

CreateResult SqlTokenStore::create_login_token(const NewLoginToken& token) {
  session_.execute(sql_.login_purge, {token.created_ts});
  const std::string digest = token_digest(token.token);
  std::int64_t inserted = session_.execute(
      sql_.login_insert, {std::string_view(digest), std::string_view(token.user_id), token.created_ts,
                          token.expires_ts});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

std::optional<std::string> SqlTokenStore::consume_login_token(std::string_view token, std::int64_t now_ts) {
  const std::string digest = token_digest(token);
  // Deleting and reading in one statement: of two logins racing with one token, one gets the row.
  auto rows = session_.query(sql_.login_take, {std::string_view(digest)});
  if (rows.empty() || now_ts >= rows.front().at(1).as_int()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

CreateResult SqlTokenStore::create_refresh_token(const NewRefreshToken& token) {
  const std::string digest = token_digest(token.token);
  std::int64_t inserted =
      session_.execute(sql_.refresh_insert, {std::string_view(digest), std::string_view(token.user_id),
                                             std::string_view(token.device_id), token.created_ts, nullptr});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

std::optional<RefreshedDevice> SqlTokenStore::exchange_refresh_token(std::string_view refresh_token,
                                                                     const RefreshExchange& issued) {
  const std::string old_digest = token_digest(refresh_token);
  auto rows = session_.query(sql_.refresh_lock, {std::string_view(old_digest)});
  if (rows.empty()) {
    return std::nullopt;
  }
  RefreshedDevice device{rows.front().at(0).as_text(), rows.front().at(1).as_text()};
  // Using this token revokes the one it replaced (spec: "the old refresh token remains valid
  // until the new access token or refresh token is used").
  if (const auto predecessor = rows.front().at(2).as_optional_text()) {
    if (session_.execute(sql_.refresh_remove, {std::string_view(*predecessor)}) > 0) {
      remove_superseded(device.user_id, device.device_id, issued.created_ts);
    }
  }
  // A second exchange means the client never got (or never used) the first one's tokens.
  session_.execute(sql_.refresh_remove_successors, {std::string_view(old_digest)});
  session_.execute(sql_.remove_retiring, {std::string_view(old_digest)});

  const std::string refresh_digest = token_digest(issued.refresh_token);
  const std::string access_digest = token_digest(issued.access_token);
  const std::int64_t stored =
      session_.execute(sql_.refresh_insert, {std::string_view(refresh_digest), std::string_view(device.user_id),
                                             std::string_view(device.device_id), issued.created_ts,
                                             std::string_view(old_digest)}) +
      session_.execute(sql_.insert, {std::string_view(access_digest), std::string_view(device.user_id),
                                     std::string_view(device.device_id), issued.created_ts,
                                     nullable(issued.expires_ts), std::string_view(old_digest)});
  if (stored != 2) {
    throw StorageError(ErrorKind::constraint, "a token issued by a refresh was already stored");
  }
  return device;
}

bool SqlTokenStore::retire_replaced_refresh_token(std::string_view access_token, std::int64_t now_ts) {
  const std::string digest = token_digest(access_token);
  const bool revoked = session_.execute(sql_.retire_refresh, {std::string_view(digest)}) > 0;
  if (session_.execute(sql_.clear_retiring, {std::string_view(digest)}) == 0) {
    return false;
  }
  if (revoked) {
    auto rows = session_.query(sql_.lookup, {std::string_view(digest)});
    if (!rows.empty()) {
      remove_superseded(rows.front().at(0).as_text(), rows.front().at(1).as_text(), now_ts);
    }
  }
  return true;
}

void SqlTokenStore::remove_superseded(std::string_view user_id, std::string_view device_id, std::int64_t now_ts) {
  // Once a refresh token is revoked the client has shown it holds newer tokens, so the device's
  // expired access tokens are of no more use to it. Deleting them only then keeps the answer to
  // a stale token "expired, refresh" (soft_logout) while that can still help, and stops every
  // refresh from leaving a dead row behind.
  session_.execute(sql_.remove_expired, {user_id, device_id, now_ts});
}

}  // namespace ranvier::storage::sql
