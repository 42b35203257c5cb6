#include "appservice/senders.hpp"

namespace ranvier::appservice {

int ensure_sender_accounts(storage::Database& database, const Registry& registry, std::int64_t now_ms) {
  return database.write([&](storage::WriteTx& tx) {
    int created = 0;
    for (const auto& service : registry.all()) {
      storage::Account account;
      account.user_id = registry.sender_of(service);
      account.created_ts = now_ms;
      if (tx.accounts().create(account) == storage::CreateResult::created) {
        ++created;
      }
    }
    return created;
  });
}

}  // namespace ranvier::appservice
