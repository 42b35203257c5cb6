#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

RegistrationToken token_from(const Row& row) {
  return RegistrationToken{.token = row.at(0).as_text(),
                           .uses_allowed = row.at(1).as_optional_int(),
                           .completed = row.at(2).as_int(),
                           .expiry_time = row.at(3).as_optional_int(),
                           .created_ts = row.at(4).as_int()};
}

}  // namespace

std::optional<RegistrationToken> SqlRegistrationTokenStore::get(std::string_view token) {
  auto rows = session_.query(sql_.select_one, {token});
  if (rows.empty()) {
    return std::nullopt;
  }
  return token_from(rows.front());
}

std::vector<RegistrationToken> SqlRegistrationTokenStore::list() {
  std::vector<RegistrationToken> tokens;
  for (const auto& row : session_.query(sql_.select_all, {})) {
    tokens.push_back(token_from(row));
  }
  return tokens;
}

CreateResult SqlRegistrationTokenStore::create(const RegistrationToken& token) {
  const auto inserted = session_.execute(
      sql_.insert, {std::string_view(token.token), token.uses_allowed ? Param(*token.uses_allowed) : Param(std::nullptr_t{}),
                    token.completed, token.expiry_time ? Param(*token.expiry_time) : Param(std::nullptr_t{}), token.created_ts});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

bool SqlRegistrationTokenStore::consume(std::string_view token, std::int64_t now_ts) {
  return session_.execute(sql_.consume, {token, now_ts}) > 0;
}

bool SqlRegistrationTokenStore::remove(std::string_view token) {
  return session_.execute(sql_.remove, {token}) > 0;
}

}  // namespace ranvier::storage::sql
