#include <map>

#include "storage/sql/json_array.hpp"
#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

StoredEvent event_from(const Row& row) {
  StoredEvent event;
  event.event_id = row.at(0).as_text();
  event.room_id = row.at(1).as_text();
  event.type = row.at(2).as_text();
  event.state_key = row.at(3).as_optional_text();
  event.sender = row.at(4).as_text();
  event.depth = row.at(5).as_int();
  event.origin_server_ts = row.at(6).as_int();
  event.json = row.at(7).as_text();
  event.outlier = row.at(8).as_bool();
  event.rejected_reason = row.at(9).as_optional_text();
  event.soft_failed = row.at(10).as_bool();
  event.stream = row.at(11).as_int();
  event.redacted_by = row.at(12).as_optional_text();
  event.relates_to = row.at(13).as_optional_text();
  event.rel_type = row.at(14).as_optional_text();
  return event;
}

// Rows of (event_id, target) grouped by event, each group in stored order.
std::map<std::string, std::vector<std::string>> edges_by_event(const std::vector<Row>& rows) {
  std::map<std::string, std::vector<std::string>> edges;
  for (const Row& row : rows) {
    edges[row.at(0).as_text()].push_back(row.at(1).as_text());
  }
  return edges;
}

}  // namespace

std::vector<StoredEvent> SqlEventStore::with_edges(const std::vector<Row>& rows) {
  std::vector<StoredEvent> events;
  events.reserve(rows.size());
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const Row& row : rows) {
    events.push_back(event_from(row));
    ids.push_back(events.back().event_id);
  }
  if (events.empty()) {
    return events;
  }
  const std::string id_set = json_array(ids);
  auto prev = edges_by_event(session_.query(sql_.prev_of, {std::string_view(id_set)}));
  auto auth = edges_by_event(session_.query(sql_.auth_of, {std::string_view(id_set)}));
  for (StoredEvent& event : events) {
    if (auto found = prev.find(event.event_id); found != prev.end()) {
      event.prev_events = std::move(found->second);
    }
    if (auto found = auth.find(event.event_id); found != auth.end()) {
      event.auth_events = std::move(found->second);
    }
  }
  return events;
}

std::optional<StoredEvent> SqlEventStore::get(std::string_view event_id) {
  auto events = with_edges(session_.query(sql_.select_one, {event_id}));
  if (events.empty()) {
    return std::nullopt;
  }
  return std::move(events.front());
}

std::optional<StoredEvent> SqlEventStore::get_row(std::string_view event_id) {
  auto rows = session_.query(sql_.select_one, {event_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return event_from(rows.front());
}

std::vector<StoredEvent> SqlEventStore::get_many(std::span<const std::string> event_ids) {
  if (event_ids.empty()) {
    return {};
  }
  const std::string id_set = json_array(event_ids);
  return with_edges(session_.query(sql_.select_many, {std::string_view(id_set)}));
}

std::vector<std::string> SqlEventStore::known(std::span<const std::string> event_ids) {
  if (event_ids.empty()) {
    return {};
  }
  const std::string id_set = json_array(event_ids);
  return text_column(session_.query(sql_.known, {std::string_view(id_set)}));
}

std::int64_t SqlEventStore::max_stream() {
  auto rows = session_.query(sql_.max_stream, {});
  return rows.empty() ? 0 : rows.front().at(0).as_int();
}

std::vector<StoredEvent> SqlEventStore::room_events(std::string_view room_id, std::int64_t after,
                                                    std::int64_t up_to, Direction direction,
                                                    std::size_t limit) {
  const StaticSql sql = direction == Direction::forward ? sql_.room_forward : sql_.room_backward;
  return with_edges(session_.query(sql, {room_id, after, up_to, limit_param(limit)}));
}

std::vector<StoredEvent> SqlEventStore::room_messages(std::string_view room_id,
                                                      TopologicalPosition from, Direction direction,
                                                      std::size_t limit) {
  const StaticSql sql =
      direction == Direction::forward ? sql_.messages_forward : sql_.messages_backward;
  return with_edges(session_.query(sql, {room_id, from.depth, from.stream, limit_param(limit)}));
}

std::vector<StoredEvent> SqlEventStore::relations(const RelationQuery& query, std::int64_t after,
                                                  std::int64_t up_to, Direction direction,
                                                  std::size_t limit) {
  const StaticSql sql =
      direction == Direction::forward ? sql_.relations_forward : sql_.relations_backward;
  return with_edges(session_.query(
      sql, {std::string_view(query.room_id), std::string_view(query.event_id),
            nullable(query.rel_type), nullable(query.event_type),
            static_cast<std::int64_t>(query.max_depth), after, up_to, limit_param(limit)}));
}

std::vector<ThreadRoot> SqlEventStore::thread_roots(std::string_view room_id,
                                                    std::string_view user_id,
                                                    bool participated_only, std::int64_t before,
                                                    std::size_t limit) {
  auto rows = session_.query(sql_.thread_roots,
                             {room_id, user_id, participated_only, before, limit_param(limit)});
  auto events = with_edges(rows);
  std::vector<ThreadRoot> roots;
  roots.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // The aggregate columns follow the event columns.
    roots.push_back({.root = std::move(events[i]),
                     .latest_stream = rows[i].at(15).as_int(),
                     .count = rows[i].at(16).as_int(),
                     .participated = rows[i].at(17).as_bool()});
  }
  return roots;
}

std::vector<RelationCount> SqlEventStore::relation_counts(std::string_view room_id, std::string_view event_id,
                                                          std::string_view user_id) {
  std::vector<RelationCount> counts;
  for (const auto& row : session_.query(sql_.relation_counts, {room_id, event_id, user_id})) {
    counts.push_back({row.at(0).as_text(), row.at(1).as_int(), row.at(2).as_int()});
  }
  return counts;
}

std::optional<StoredEvent> SqlEventStore::event_near_ts(std::string_view room_id, std::int64_t ts,
                                                        Direction direction) {
  const StaticSql sql =
      direction == Direction::forward ? sql_.near_ts_forward : sql_.near_ts_backward;
  auto events = with_edges(session_.query(sql, {room_id, ts}));
  if (events.empty()) {
    return std::nullopt;
  }
  return std::move(events.front());
}

std::vector<std::string> SqlEventStore::auth_chain(std::span<const std::string> event_ids) {
  if (event_ids.empty()) {
    return {};
  }
  const std::string id_set = json_array(event_ids);
  return text_column(session_.query(sql_.auth_chain, {std::string_view(id_set)}));
}

std::vector<std::string> SqlEventStore::children(std::string_view event_id) {
  return text_column(session_.query(sql_.children, {event_id}));
}

EventInsert SqlEventStore::insert(const NewEvent& event) {
  // Checking first keeps a duplicate from taking (and wasting) a stream position in the
  // common case; ON CONFLICT below still covers a concurrent inserter of the same ID.
  auto existing = session_.query(sql_.stream_of, {std::string_view(event.event_id)});
  if (!existing.empty()) {
    return {CreateResult::exists, existing.front().at(0).as_int()};
  }
  const std::int64_t stream =
      session_.query(event.backfilled ? sql_.next_backfill_stream : sql_.next_stream, {}).at(0).at(0).as_int();
  const std::int64_t inserted = session_.execute(
      sql_.insert,
      {std::string_view(event.event_id), std::string_view(event.room_id),
       std::string_view(event.type), nullable(event.state_key), std::string_view(event.sender),
       event.depth, event.origin_server_ts, std::string_view(event.json), event.outlier,
       nullable(event.rejected_reason), event.soft_failed, stream, nullable(event.relates_to),
       nullable(event.rel_type)});
  if (inserted == 0) {
    existing = session_.query(sql_.stream_of, {std::string_view(event.event_id)});
    return {CreateResult::exists, existing.at(0).at(0).as_int()};
  }
  if (!event.prev_events.empty()) {
    const std::string prev = json_array(event.prev_events);
    session_.execute(sql_.insert_prev, {std::string_view(event.event_id), std::string_view(prev)});
  }
  if (!event.auth_events.empty()) {
    const std::string auth = json_array(event.auth_events);
    session_.execute(sql_.insert_auth, {std::string_view(event.event_id), std::string_view(auth)});
  }
  return {CreateResult::created, stream};
}

bool SqlEventStore::set_rejected(std::string_view event_id, std::string_view reason) {
  return session_.execute(sql_.set_rejected, {event_id, reason}) > 0;
}

bool SqlEventStore::set_soft_failed(std::string_view event_id, bool soft_failed) {
  return session_.execute(sql_.set_soft_failed, {event_id, soft_failed}) > 0;
}

bool SqlEventStore::promote_outlier(std::string_view event_id) {
  return session_.execute(sql_.promote_outlier, {event_id}) > 0;
}

bool SqlEventStore::set_redacted_by(std::string_view event_id, std::string_view redaction_id) {
  return session_.execute(sql_.set_redacted_by, {event_id, redaction_id}) > 0;
}

}  // namespace ranvier::storage::sql
