#include "api/openid_tokens.hpp"

namespace ranvier::api {

std::string issue_openid_token(storage::Database& db, const std::string& user_id, std::int64_t now_ms) {
  std::string token = storage::generate_token("oid_");
  db.write([&](storage::WriteTx& tx) {
    tx.reports().add_openid_token(token, user_id, now_ms + openid_token_lifetime_ms, now_ms);
  });
  return token;
}

std::optional<std::string> lookup_openid_token(storage::Database& db, std::string_view token, std::int64_t now_ms) {
  return db.read([&](storage::ReadTx& tx) { return tx.reports().openid_user(token, now_ms); });
}

}  // namespace ranvier::api
