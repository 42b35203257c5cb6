#include "storage/sql/json_array.hpp"
#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

std::string_view kind_text(OutboundKind kind) { return kind == OutboundKind::pdu ? "pdu" : "edu"; }

}  // namespace

std::vector<std::string> SqlFederationOutboxStore::due_destinations(std::int64_t now_ms, std::size_t limit) {
  std::vector<std::string> destinations;
  for (const auto& row : session_.query(sql_.due, {now_ms, limit_param(limit)})) {
    destinations.push_back(row.at(0).as_text());
  }
  return destinations;
}

std::optional<std::int64_t> SqlFederationOutboxStore::next_retry_at() {
  const auto rows = session_.query(sql_.next_retry, {});
  if (rows.empty() || rows.front().at(0).is_null()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_int();
}

std::vector<OutboundItem> SqlFederationOutboxStore::pending(std::string_view destination, std::size_t max_pdus,
                                                            std::size_t max_edus) {
  std::vector<OutboundItem> items;
  for (auto [kind, limit] : {std::pair{OutboundKind::pdu, max_pdus}, std::pair{OutboundKind::edu, max_edus}}) {
    if (limit == 0) {
      continue;
    }
    for (const auto& row : session_.query(sql_.pending, {destination, kind_text(kind), limit_param(limit)})) {
      items.push_back(OutboundItem{.stream = row.at(0).as_int(),
                                   .destination = std::string(destination),
                                   .kind = kind,
                                   .body = row.at(1).as_text()});
    }
  }
  return items;
}

std::optional<DestinationBackoff> SqlFederationOutboxStore::backoff(std::string_view destination) {
  const auto rows = session_.query(sql_.backoff, {destination});
  if (rows.empty()) {
    return std::nullopt;
  }
  const auto& row = rows.front();
  return DestinationBackoff{.destination = std::string(destination),
                            .retry_at_ms = row.at(0).as_int(),
                            .backoff_ms = row.at(1).as_int(),
                            .last_error = row.at(2).as_text()};
}

void SqlFederationOutboxStore::enqueue(std::string_view destination, OutboundKind kind, std::string_view body) {
  session_.execute(sql_.insert, {destination, kind_text(kind), body});
}

void SqlFederationOutboxStore::remove(std::string_view destination, const std::vector<std::int64_t>& streams) {
  if (streams.empty()) {
    return;
  }
  const std::string ids = json_array(streams);
  session_.execute(sql_.remove, {destination, std::string_view(ids)});
}

void SqlFederationOutboxStore::set_backoff(const DestinationBackoff& backoff) {
  session_.execute(sql_.upsert_backoff, {std::string_view(backoff.destination), backoff.retry_at_ms,
                                         backoff.backoff_ms, std::string_view(backoff.last_error)});
}

void SqlFederationOutboxStore::clear_backoff(std::string_view destination) {
  session_.execute(sql_.clear_backoff, {destination});
}

}  // namespace ranvier::storage::sql
