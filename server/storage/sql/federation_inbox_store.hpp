#pragma once
// The SQL store of received federation transactions, over the backend's SQL text.

#include "storage/federation_inbox.hpp"
#include "storage/sql/session.hpp"

namespace ranvier::storage::sql {

/// Received transactions; see federation_inbox.hpp.
struct FederationInboxSql {
  StaticSql insert;         ///< (origin, txn_id, response, received_ts); nothing if the pair is taken
  StaticSql select_one;     ///< (origin, txn_id) → response
  StaticSql delete_before;  ///< (before_ts)
};

class SqlFederationInboxStore final : public FederationInboxStore {
 public:
  SqlFederationInboxStore(Session& session, const FederationInboxSql& sql) : session_(session), sql_(sql) {}

  std::optional<std::string> transaction_response(std::string_view origin, std::string_view txn_id) override;
  CreateResult record_transaction(const InboundTransaction& transaction) override;
  std::int64_t forget_transactions_before(std::int64_t before_ts) override;

 private:
  Session& session_;
  const FederationInboxSql& sql_;
};

}  // namespace ranvier::storage::sql
