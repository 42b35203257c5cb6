#pragma once
// The application service store over a sql::Session (both engines).

#include "storage/appservices.hpp"
#include "storage/sql/appservice_queries.hpp"

namespace ranvier::storage::sql {

class SqlAppserviceStore final : public AppserviceStore {
 public:
  SqlAppserviceStore(Session& session, const AppserviceSql& sql) : session_(session), sql_(sql) {}
  std::optional<std::int64_t> stream_position(std::string_view appservice_id) override;
  std::optional<AppserviceTxn> oldest_txn(std::string_view appservice_id) override;
  std::vector<StreamedEvent> timeline_after(std::int64_t after, std::int64_t up_to, std::size_t limit) override;
  void set_stream_position(std::string_view appservice_id, std::int64_t position) override;
  std::int64_t receipt_position(std::string_view appservice_id) override;
  std::int64_t max_receipt_stream() override;
  std::vector<StreamedReceipt> receipts_after(std::int64_t after, std::int64_t up_to, std::size_t limit) override;
  void set_receipt_position(std::string_view appservice_id, std::int64_t position) override;
  std::int64_t add_txn(std::string_view appservice_id, std::string_view events_json, std::string_view ephemeral_json,
                       std::int64_t now_ts) override;
  void finish_txn(std::string_view appservice_id, std::int64_t txn_id) override;
  void retry_txn(std::string_view appservice_id, std::int64_t txn_id, std::int64_t next_attempt_ts) override;

 private:
  Session& session_;
  const AppserviceSql& sql_;
};

}  // namespace ranvier::storage::sql
