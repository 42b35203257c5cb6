#pragma once
// PostgreSQL text of sql/server_key_queries.hpp.

#include "storage/sql/server_key_queries.hpp"

namespace ranvier::storage::postgres {

inline constexpr sql::ServerKeySql server_key_sql{
    .keys = "SELECT key_id, verify_key, valid_until_ts, fetched_ts, expired_ts FROM remote_server_keys"
            " WHERE server_name = $1 ORDER BY key_id",
    .put_key = "INSERT INTO remote_server_keys (server_name, key_id, verify_key, valid_until_ts, fetched_ts, expired_ts)"
               " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (server_name, key_id) DO UPDATE SET"
               " verify_key = excluded.verify_key, valid_until_ts = excluded.valid_until_ts,"
               " fetched_ts = excluded.fetched_ts, expired_ts = excluded.expired_ts",
    .document = "SELECT document, valid_until_ts, fetched_ts FROM remote_server_key_documents WHERE server_name = $1",
    .put_document = "INSERT INTO remote_server_key_documents (server_name, document, valid_until_ts, fetched_ts)"
                    " VALUES ($1, $2, $3, $4) ON CONFLICT (server_name) DO UPDATE SET"
                    " document = excluded.document, valid_until_ts = excluded.valid_until_ts,"
                    " fetched_ts = excluded.fetched_ts",
};

}  // namespace ranvier::storage::postgres
