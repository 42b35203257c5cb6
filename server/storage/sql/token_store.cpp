#include "storage/sql/stores.hpp"

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
  };
}

CreateResult SqlTokenStore::create(const NewAccessToken& token) {
  const std::string digest = token_digest(token.token);
  std::int64_t inserted =
      session_.execute(sql_.insert, {std::string_view(digest), std::string_view(token.user_id),
                                     std::string_view(token.device_id), token.created_ts,
                                     nullable(token.expires_ts)});
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

}  // namespace ranvier::storage::sql
