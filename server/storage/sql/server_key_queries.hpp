#pragma once
// SQL slots of the remote server key store (storage/server_keys.hpp).

#include "storage/sql/session.hpp"

namespace ranvier::storage::sql {

struct ServerKeySql {
  StaticSql keys;          ///< (server_name) → key_id, verify_key, valid_until_ts, fetched_ts, expired_ts by key_id
  StaticSql put_key;       ///< (server_name, key_id, verify_key, valid_until_ts, fetched_ts, expired_ts)
  StaticSql document;      ///< (server_name) → document, valid_until_ts, fetched_ts
  StaticSql put_document;  ///< (server_name, document, valid_until_ts, fetched_ts)
};

}  // namespace ranvier::storage::sql
