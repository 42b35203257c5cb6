#pragma once
// SQLite text of sql/appservice_queries.hpp.

#include "storage/sql/appservice_queries.hpp"

namespace ranvier::storage::sqlite {

inline constexpr sql::AppserviceSql appservice_sql{
    .stream_position = "SELECT stream_position FROM appservice_streams WHERE appservice_id = ?1",
    .oldest_txn = "SELECT txn_id, events, attempts, next_attempt_ts, ephemeral FROM appservice_txns"
                  " WHERE appservice_id = ?1 ORDER BY txn_id LIMIT 1",
    .timeline_after = "SELECT event_id, room_id, json, stream FROM events"
                      " WHERE stream > ?1 AND stream <= ?2 AND outlier = 0 AND rejected_reason IS NULL"
                      " AND soft_failed = 0 ORDER BY stream LIMIT ?3",
    .set_position = "INSERT INTO appservice_streams (appservice_id, stream_position, last_txn_id) VALUES (?1, ?2, 0)"
                    " ON CONFLICT (appservice_id) DO UPDATE SET stream_position = excluded.stream_position",
    .next_txn_id = "UPDATE appservice_streams SET last_txn_id = last_txn_id + 1 WHERE appservice_id = ?1"
                   " RETURNING last_txn_id",
    .add_txn = "INSERT INTO appservice_txns (appservice_id, txn_id, events, next_attempt_ts, ephemeral)"
               " VALUES (?1, ?2, ?3, ?4, ?5)",
    .finish_txn = "DELETE FROM appservice_txns WHERE appservice_id = ?1 AND txn_id = ?2",
    .retry_txn = "UPDATE appservice_txns SET attempts = attempts + 1, next_attempt_ts = ?3"
                 " WHERE appservice_id = ?1 AND txn_id = ?2",
    .receipt_position = "SELECT receipt_position FROM appservice_streams WHERE appservice_id = ?1",
    .set_receipt_position = "UPDATE appservice_streams SET receipt_position = ?2 WHERE appservice_id = ?1",
    .max_receipt_stream = "SELECT COALESCE(MAX(stream_id), 0) FROM receipts",
    .receipts_after = "SELECT room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id FROM receipts"
                      " WHERE stream_id > ?1 AND stream_id <= ?2 ORDER BY stream_id LIMIT ?3",
};

}  // namespace ranvier::storage::sqlite
