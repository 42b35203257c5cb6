#include "storage/sql/appservice_store.hpp"

#include "storage/errors.hpp"

namespace ranvier::storage::sql {

std::optional<std::int64_t> SqlAppserviceStore::stream_position(std::string_view appservice_id) {
  auto rows = session_.query(sql_.stream_position, {appservice_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_int();
}

std::optional<AppserviceTxn> SqlAppserviceStore::oldest_txn(std::string_view appservice_id) {
  auto rows = session_.query(sql_.oldest_txn, {appservice_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  const auto& row = rows.front();
  return AppserviceTxn{.appservice_id = std::string(appservice_id),
                       .txn_id = row.at(0).as_int(),
                       .events = row.at(1).as_text(),
                       .attempts = row.at(2).as_int(),
                       .next_attempt_ts = row.at(3).as_int(),
                       .ephemeral = row.at(4).as_text()};
}

std::vector<StreamedEvent> SqlAppserviceStore::timeline_after(std::int64_t after, std::int64_t up_to,
                                                              std::size_t limit) {
  std::vector<StreamedEvent> out;
  for (const auto& row : session_.query(sql_.timeline_after, {after, up_to, static_cast<std::int64_t>(limit)})) {
    out.push_back(StreamedEvent{row.at(0).as_text(), row.at(1).as_text(), row.at(2).as_text(), row.at(3).as_int()});
  }
  return out;
}

void SqlAppserviceStore::set_stream_position(std::string_view appservice_id, std::int64_t position) {
  session_.execute(sql_.set_position, {appservice_id, position});
}

std::int64_t SqlAppserviceStore::receipt_position(std::string_view appservice_id) {
  auto rows = session_.query(sql_.receipt_position, {appservice_id});
  return rows.empty() ? 0 : rows.front().at(0).as_int();
}

std::int64_t SqlAppserviceStore::max_receipt_stream() {
  auto rows = session_.query(sql_.max_receipt_stream, {});
  return rows.empty() ? 0 : rows.front().at(0).as_int();
}

std::vector<StreamedReceipt> SqlAppserviceStore::receipts_after(std::int64_t after, std::int64_t up_to,
                                                                std::size_t limit) {
  std::vector<StreamedReceipt> out;
  for (const auto& row : session_.query(sql_.receipts_after, {after, up_to, static_cast<std::int64_t>(limit)})) {
    out.push_back(StreamedReceipt{row.at(0).as_text(), row.at(1).as_text(), row.at(2).as_text(), row.at(3).as_text(),
                                  row.at(4).as_text(), row.at(5).as_int(), row.at(6).as_int()});
  }
  return out;
}

void SqlAppserviceStore::set_receipt_position(std::string_view appservice_id, std::int64_t position) {
  session_.execute(sql_.set_receipt_position, {appservice_id, position});
}

std::int64_t SqlAppserviceStore::add_txn(std::string_view appservice_id, std::string_view events_json,
                                         std::string_view ephemeral_json, std::int64_t now_ts) {
  auto rows = session_.query(sql_.next_txn_id, {appservice_id});
  if (rows.empty()) {
    throw StorageError(ErrorKind::constraint, "appservice_streams: no row for " + std::string(appservice_id));
  }
  const auto txn_id = rows.front().at(0).as_int();
  session_.execute(sql_.add_txn, {appservice_id, txn_id, events_json, now_ts, ephemeral_json});
  return txn_id;
}

void SqlAppserviceStore::finish_txn(std::string_view appservice_id, std::int64_t txn_id) {
  session_.execute(sql_.finish_txn, {appservice_id, txn_id});
}

void SqlAppserviceStore::retry_txn(std::string_view appservice_id, std::int64_t txn_id, std::int64_t next_attempt_ts) {
  session_.execute(sql_.retry_txn, {appservice_id, txn_id, next_attempt_ts});
}

}  // namespace ranvier::storage::sql
