#pragma once
// SQLite text of sql/federation_inbox_store.hpp (received federation transactions).

#include "storage/sql/federation_inbox_store.hpp"

namespace ranvier::storage::sqlite {

inline constexpr sql::FederationInboxSql federation_inbox_sql{
    .insert = "INSERT INTO federation_inbound_transactions (origin, txn_id, response, received_ts)"
              " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    .select_one = "SELECT response FROM federation_inbound_transactions WHERE origin = ?1 AND txn_id = ?2",
    .delete_before = "DELETE FROM federation_inbound_transactions WHERE received_ts < ?1",
};

}  // namespace ranvier::storage::sqlite
