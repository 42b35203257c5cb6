#pragma once
// SQL slots of the application service store (storage/appservices.hpp).

#include "storage/sql/session.hpp"

namespace ranvier::storage::sql {

struct AppserviceSql {
  StaticSql stream_position;  ///< (appservice_id) → stream_position
  StaticSql oldest_txn;       ///< (appservice_id) → txn_id, events, attempts, next_attempt_ts, ephemeral
  StaticSql timeline_after;   ///< (after, up_to, limit) → event_id, room_id, json, stream by stream
  StaticSql set_position;     ///< (appservice_id, position): insert with last_txn_id 0 or update
  StaticSql next_txn_id;      ///< (appservice_id) → the incremented last_txn_id
  StaticSql add_txn;          ///< (appservice_id, txn_id, events, next_attempt_ts, ephemeral)
  StaticSql finish_txn;       ///< (appservice_id, txn_id)
  StaticSql retry_txn;        ///< (appservice_id, txn_id, next_attempt_ts): attempts + 1
  StaticSql receipt_position;      ///< (appservice_id) → receipt_position
  StaticSql set_receipt_position;  ///< (appservice_id, position)
  StaticSql max_receipt_stream;    ///< () → highest receipts.stream_id, 0 when none
  StaticSql receipts_after;  ///< (after, up_to, limit) → room_id, user_id, receipt_type, thread_id, event_id, ts,
                             ///< stream_id by stream_id
};

}  // namespace ranvier::storage::sql
