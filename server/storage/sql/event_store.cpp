#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

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

std::map<std::string, std::vector<RelationCount>, std::less<>> SqlEventStore::relation_counts(
    std::string_view room_id, std::span<const std::string> event_ids, std::string_view user_id) {
  std::map<std::string, std::vector<RelationCount>, std::less<>> counts;
  if (event_ids.empty()) {
    return counts;
  }
  const std::string id_set = json_array(event_ids);
  for (const auto& row : session_.query(sql_.relation_counts, {room_id, std::string_view(id_set), user_id})) {
    counts[row.at(0).as_text()].push_back({row.at(1).as_text(), row.at(2).as_int(), row.at(3).as_int()});
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
    session_.execute_later(sql_.insert_prev, {std::string_view(event.event_id), std::string_view(prev)});
  }
  if (!event.auth_events.empty()) {
    const std::string auth = json_array(event.auth_events);
    session_.execute_later(sql_.insert_auth, {std::string_view(event.event_id), std::string_view(auth)});
  }
  return {CreateResult::created, stream};
}

std::vector<EventInsert> SqlEventStore::insert_many(std::span<const NewEvent> events) {
  std::vector<EventInsert> results(events.size());
  if (events.empty()) {
    return results;
  }
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const NewEvent& event : events) {
    ids.push_back(event.event_id);
  }
  std::unordered_map<std::string, std::int64_t> stored;
  const std::string id_set = json_array(ids);
  for (const Row& row : session_.query(sql_.streams_of, {std::string_view(id_set)})) {
    stored.emplace(row.at(0).as_text(), row.at(1).as_int());
  }
  // The first occurrence of each ID not stored yet gets a position, in the order given.
  std::unordered_map<std::string_view, std::size_t> first;
  std::vector<std::size_t> fresh;
  std::int64_t forward = 0;
  std::int64_t backward = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (stored.contains(events[i].event_id) || !first.emplace(events[i].event_id, i).second) {
      continue;
    }
    fresh.push_back(i);
    ++(events[i].backfilled ? backward : forward);
  }
  // Positions as `forward` and `backward` single inserts would have taken them: up from the
  // counter, or down from the backfill counter.
  std::int64_t next_forward =
      forward == 0 ? 0 : session_.query(sql_.next_streams, {forward}).at(0).at(0).as_int() - forward + 1;
  std::int64_t next_backward =
      backward == 0 ? 0 : session_.query(sql_.next_backfill_streams, {backward}).at(0).at(0).as_int() + backward - 1;
  // Bounded statements: a send_join answer of 10,000 events is several megabytes of JSON.
  constexpr std::size_t chunk = 500;
  std::unordered_set<std::string> inserted;
  for (std::size_t begin = 0; begin < fresh.size(); begin += chunk) {
    JsonRows rows;
    for (std::size_t k = begin; k < std::min(fresh.size(), begin + chunk); ++k) {
      const std::size_t i = fresh[k];
      const NewEvent& event = events[i];
      results[i].stream = event.backfilled ? next_backward-- : next_forward++;
      rows.row()
          .add(event.event_id)
          .add(event.room_id)
          .add(event.type)
          .add(event.state_key)
          .add(event.sender)
          .add(event.depth)
          .add(event.origin_server_ts)
          .add(event.json)
          .add(event.outlier)
          .add(event.rejected_reason)
          .add(event.soft_failed)
          .add(results[i].stream)
          .add(event.relates_to)
          .add(event.rel_type);
    }
    const std::string text = rows.take();
    for (const Row& row : session_.query(sql_.insert_many, {std::string_view(text)})) {
      inserted.insert(row.at(0).as_text());
    }
  }
  JsonRows prev;
  JsonRows auth;
  const auto add_edges = [](JsonRows& rows, const std::string& event_id, const std::vector<std::string>& targets) {
    for (std::size_t ordinal = 0; ordinal < targets.size(); ++ordinal) {
      rows.row().add(event_id).add(targets[ordinal]).add(static_cast<std::int64_t>(ordinal));
    }
  };
  std::vector<std::string> raced;
  for (const std::size_t i : fresh) {
    if (!inserted.contains(events[i].event_id)) {
      raced.push_back(events[i].event_id);  // a concurrent inserter stored it first
      continue;
    }
    add_edges(prev, events[i].event_id, events[i].prev_events);
    add_edges(auth, events[i].event_id, events[i].auth_events);
  }
  if (!prev.empty()) {
    const std::string text = prev.take();
    session_.execute(sql_.insert_prev_many, {std::string_view(text)});
  }
  if (!auth.empty()) {
    const std::string text = auth.take();
    session_.execute(sql_.insert_auth_many, {std::string_view(text)});
  }
  if (!raced.empty()) {
    const std::string raced_set = json_array(raced);
    for (const Row& row : session_.query(sql_.streams_of, {std::string_view(raced_set)})) {
      stored.insert_or_assign(row.at(0).as_text(), row.at(1).as_int());
    }
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto own = first.find(events[i].event_id);
    if (own != first.end() && own->second == i && inserted.contains(events[i].event_id)) {
      results[i].result = CreateResult::created;
      continue;
    }
    results[i].result = CreateResult::exists;
    if (auto found = stored.find(events[i].event_id); found != stored.end()) {
      results[i].stream = found->second;
    } else {
      results[i].stream = results[own->second].stream;  // a repeat of an event inserted above
    }
  }
  return results;
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
