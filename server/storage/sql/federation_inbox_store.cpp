#include "storage/sql/federation_inbox_store.hpp"

namespace ranvier::storage::sql {

std::optional<std::string> SqlFederationInboxStore::transaction_response(std::string_view origin,
                                                                         std::string_view txn_id) {
  auto rows = session_.query(sql_.select_one, {origin, txn_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

CreateResult SqlFederationInboxStore::record_transaction(const InboundTransaction& transaction) {
  const std::int64_t inserted =
      session_.execute(sql_.insert, {std::string_view(transaction.origin), std::string_view(transaction.txn_id),
                                     std::string_view(transaction.response), transaction.received_ts});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

std::int64_t SqlFederationInboxStore::forget_transactions_before(std::int64_t before_ts) {
  return session_.execute(sql_.delete_before, {before_ts});
}

}  // namespace ranvier::storage::sql
