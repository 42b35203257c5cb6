#include "storage/sql/notification_stores.hpp"

#include "storage/sql/json_array.hpp"
#include "storage/sql/stores.hpp"

#include <map>
#include <unordered_map>
#include <utility>

namespace ranvier::storage::sql {

std::vector<PushRecipient> SqlNotificationStore::recipients(std::string_view room_id) {
  std::vector<PushRecipient> recipients;
  for (const auto& row : session_.query(sql_.recipients, {room_id})) {
    recipients.push_back(PushRecipient{.user_id = row.at(0).as_text(),
                                       .member_event_id = row.at(1).as_text(),
                                       .rules_stream = row.at(2).as_optional_int(),
                                       .ordinal = row.at(3).as_optional_int()});
  }
  return recipients;
}

std::vector<UnreadCount> SqlNotificationStore::unread_counts(std::string_view user_id,
                                                            std::span<const std::string> room_ids) {
  std::vector<UnreadCount> counts;
  if (room_ids.empty()) {
    return counts;
  }
  const std::string rooms = json_array(room_ids);
  for (const auto& row : session_.query(sql_.unread_counts, {user_id, std::string_view(rooms)})) {
    counts.push_back(UnreadCount{.room_id = row.at(0).as_text(),
                                 .thread_id = row.at(1).as_text(),
                                 .notifications = row.at(2).as_int(),
                                 .highlights = row.at(3).as_int()});
  }
  return counts;
}

std::vector<Notification> SqlNotificationStore::list(std::string_view user_id, std::span<const std::string> room_ids,
                                                     std::optional<std::int64_t> before, std::size_t limit,
                                                     bool highlights_only) {
  std::vector<Notification> notifications;
  if (room_ids.empty()) {
    return notifications;
  }
  const std::string rooms = json_array(room_ids);
  for (const auto& row : session_.query(sql_.list, {user_id, std::string_view(rooms), nullable(before),
                                                    highlights_only, limit_param(limit)})) {
    notifications.push_back(Notification{.room_id = row.at(0).as_text(),
                                         .event_id = row.at(1).as_text(),
                                         .thread_id = row.at(2).as_text(),
                                         .stream = row.at(3).as_int(),
                                         .ts = row.at(4).as_int(),
                                         .highlight = row.at(5).as_bool(),
                                         .actions = row.at(6).as_text(),
                                         .unread = row.at(7).as_bool()});
  }
  return notifications;
}

namespace {

/// The hex text of a member set (migration 0027): digit k holds ordinals 4k..4k+3.
class MemberSet {
 public:
  void insert(std::int64_t ordinal) {
    const auto digit = static_cast<std::size_t>(ordinal / 4);
    if (digit >= nibbles_.size()) {
      nibbles_.resize(digit + 1, 0);
    }
    nibbles_[digit] |= static_cast<unsigned char>(1U << (ordinal % 4));
  }

  std::string text() const {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string text(nibbles_.size(), '0');
    for (std::size_t i = 0; i < nibbles_.size(); ++i) {
      text[i] = digits[nibbles_[i]];
    }
    return text;
  }

 private:
  std::vector<unsigned char> nibbles_;
};

}  // namespace

std::vector<std::int64_t> SqlNotificationStore::ordinals(std::string_view room_id,
                                                         std::span<const PushAction> actions) {
  std::vector<std::int64_t> ordinals(actions.size(), -1);
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (actions[i].ordinal) {
      ordinals[i] = *actions[i].ordinal;
    } else {
      unknown.push_back(actions[i].user_id);
    }
  }
  if (unknown.empty()) {
    return ordinals;
  }
  // A user's first notification in the room: look it up (the caller may not have), then
  // number those the room has never notified.
  std::unordered_map<std::string, std::int64_t> found;
  const std::string asked = json_array(unknown);
  for (const auto& row : session_.query(sql_.ordinals_of, {room_id, std::string_view(asked)})) {
    found.emplace(row.at(0).as_text(), row.at(1).as_int());
  }
  std::vector<std::string> fresh;
  for (auto& user : unknown) {
    if (!found.contains(user)) {
      fresh.push_back(std::move(user));
    }
  }
  if (!fresh.empty()) {
    const std::string numbered = json_array(fresh);
    for (const auto& row : session_.query(sql_.assign_ordinals, {room_id, std::string_view(numbered)})) {
      found.emplace(row.at(0).as_text(), row.at(1).as_int());
    }
  }
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (!actions[i].ordinal) {
      ordinals[i] = found.at(actions[i].user_id);
    }
  }
  return ordinals;
}

void SqlNotificationStore::add(const PushedEvent& event, std::span<const PushAction> actions) {
  if (actions.empty()) {
    return;
  }
  const auto numbers = ordinals(event.room_id, actions);
  // Most members share a rule, so each distinct action list is stored once per event and the
  // outcome rows name it by index. Each outcome (highlight, list) is one row holding the set of
  // members it applies to, so a message into a big room writes a row per distinct outcome, not
  // one per member.
  std::map<std::string_view, std::size_t> distinct;
  std::string lists = "[";
  std::map<std::pair<bool, std::size_t>, MemberSet> groups;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const auto& action = actions[i];
    auto [it, added] = distinct.emplace(action.actions, distinct.size());
    if (added) {
      lists += (it->second == 0 ? "" : ",") + action.actions;
    }
    groups[{action.highlight, it->second}].insert(numbers[i]);
  }
  lists += "]";
  session_.execute_later(sql_.insert_event, {event.stream, std::string_view(event.room_id),
                                             std::string_view(event.thread_id), std::string_view(event.event_id),
                                             event.ts, std::string_view(lists)});
  for (const auto& [outcome, members] : groups) {
    const std::string text = members.text();
    session_.execute_later(sql_.insert_outcome, {event.stream, outcome.first,
                                                 static_cast<std::int64_t>(outcome.second), std::string_view(text)});
  }
}

std::int64_t SqlNotificationStore::mark_read(std::string_view user_id, std::string_view room_id,
                                             std::string_view thread_id, std::int64_t up_to) {
  return session_.execute(sql_.mark_read, {user_id, room_id, thread_id, up_to});
}

namespace {

/// The pusher columns of `row` starting at column `first`.
Pusher pusher_from(const Row& row, std::size_t first = 0) {
  return Pusher{.user_id = row.at(first).as_text(),
                .app_id = row.at(first + 1).as_text(),
                .pushkey = row.at(first + 2).as_text(),
                .device_id = row.at(first + 3).as_text(),
                .kind = row.at(first + 4).as_text(),
                .app_display_name = row.at(first + 5).as_text(),
                .device_display_name = row.at(first + 6).as_text(),
                .profile_tag = row.at(first + 7).as_optional_text(),
                .lang = row.at(first + 8).as_text(),
                .data = row.at(first + 9).as_text(),
                .created_ts = row.at(first + 10).as_int()};
}

/// Words as an FTS5 expression of quoted words, which FTS5 reads as "all of them" and
/// PostgreSQL's plainto_tsquery reads as word & word.
std::string match_expression(const std::vector<std::string>& words) {
  std::string expression;
  for (const auto& word : words) {
    if (!expression.empty()) {
      expression += ' ';
    }
    expression += '"';
    for (char c : word) {
      if (c != '"') {
        expression += c;
      }
    }
    expression += '"';
  }
  return expression;
}

}  // namespace

std::vector<Pusher> SqlPusherStore::list(std::string_view user_id) {
  std::vector<Pusher> pushers;
  for (const auto& row : session_.query(sql_.list, {user_id})) {
    pushers.push_back(pusher_from(row));
  }
  return pushers;
}

void SqlPusherStore::put(const Pusher& p) {
  session_.execute(sql_.upsert, {std::string_view(p.user_id), std::string_view(p.app_id),
                                 std::string_view(p.pushkey), std::string_view(p.device_id),
                                 std::string_view(p.kind), std::string_view(p.app_display_name),
                                 std::string_view(p.device_display_name), nullable(p.profile_tag),
                                 std::string_view(p.lang), std::string_view(p.data), p.created_ts});
}

bool SqlPusherStore::remove(std::string_view user_id, std::string_view app_id, std::string_view pushkey) {
  return session_.execute(sql_.remove, {user_id, app_id, pushkey}) > 0;
}

std::int64_t SqlPusherStore::remove_for_others(std::string_view app_id, std::string_view pushkey,
                                               std::string_view user_id) {
  return session_.execute(sql_.remove_for_others, {app_id, pushkey, user_id});
}

std::vector<QueuedPush> SqlPusherStore::due(std::int64_t now_ts, std::size_t limit) {
  std::vector<QueuedPush> queued;
  for (const auto& row : session_.query(sql_.due, {now_ts, limit_param(limit)})) {
    queued.push_back(QueuedPush{.queue_id = row.at(0).as_int(),
                                .pusher = pusher_from(row, 6),
                                .stream = row.at(1).as_int(),
                                .event_id = row.at(3).as_text(),
                                .room_id = row.at(4).as_text(),
                                .actions = row.at(5).as_text(),
                                .attempts = row.at(2).as_int()});
  }
  return queued;
}

std::optional<std::int64_t> SqlPusherStore::next_due() {
  return session_.query(sql_.next_due, {}).front().at(0).as_optional_int();
}

std::int64_t SqlPusherStore::enqueue(std::int64_t stream, std::span<const std::string> user_ids,
                                    std::int64_t now_ts) {
  // A few users (the usual event notifies one or two) are cheaper one by one: the array form
  // pays for a JSON table and a temporary index, and any INSERT into the queue for its
  // AUTOINCREMENT bookkeeping, even when nobody has a pusher — which a read of the index tells.
  constexpr std::size_t one_by_one = 8;
  if (user_ids.size() <= one_by_one) {
    std::int64_t queued = 0;
    for (const auto& user : user_ids) {
      if (!session_.query(sql_.has_http_pusher, {std::string_view(user)}).empty()) {
        queued += session_.execute(sql_.enqueue_one, {stream, std::string_view(user), now_ts});
      }
    }
    return queued;
  }
  // The array form costs ≈ 25 µs on SQLite even when it inserts nothing; a server with no http
  // pusher at all (or before its first) answers a one-row probe instead.
  if (session_.query(sql_.any_http_pusher, {}).empty()) {
    return 0;
  }
  const std::string users = json_array(user_ids);
  return session_.execute(sql_.enqueue, {stream, std::string_view(users), now_ts});
}

void SqlPusherStore::finish(std::int64_t queue_id) { session_.execute(sql_.finish, {queue_id}); }

void SqlPusherStore::retry(std::int64_t queue_id, std::int64_t next_ts) {
  session_.execute(sql_.retry, {queue_id, next_ts});
}

SearchResults SqlSearchStore::search(const SearchQuery& query) {
  SearchResults results;
  if (query.words.empty() || query.room_ids.empty() || query.keys.empty()) {
    return results;
  }
  const std::string expression = match_expression(query.words);
  const std::string rooms = json_array(query.room_ids);
  const std::string keys = json_array(query.keys);
  const auto& statement = query.order == SearchOrder::recent ? sql_.by_recent : sql_.by_rank;
  for (const auto& row : session_.query(statement, {std::string_view(expression), std::string_view(rooms),
                                                    std::string_view(keys), limit_param(query.offset),
                                                    limit_param(query.limit)})) {
    results.hits.push_back(SearchHit{.event_id = row.at(0).as_text(),
                                     .stream = row.at(1).as_int(),
                                     .rank = static_cast<double>(row.at(2).as_int()) / 1e6});
  }
  results.count = session_.query(sql_.count, {std::string_view(expression), std::string_view(rooms),
                                              std::string_view(keys)})
                      .front()
                      .at(0)
                      .as_int();
  return results;
}

void SqlSearchStore::index(std::int64_t stream, std::string_view key, std::string_view text) {
  session_.execute_later(sql_.insert, {stream, key, text});
}

std::vector<Report> SqlReportStore::recent(std::size_t limit) {
  std::vector<Report> reports;
  for (const auto& row : session_.query(sql_.recent, {limit_param(limit)})) {
    reports.push_back(Report{.room_id = row.at(0).as_text(),
                             .event_id = row.at(1).as_text(),
                             .user_id = row.at(2).as_text(),
                             .reason = row.at(3).as_optional_text(),
                             .score = row.at(4).as_optional_int(),
                             .received_ts = row.at(5).as_int(),
                             .target_user_id = row.at(6).as_optional_text()});
  }
  return reports;
}

std::optional<std::string> SqlReportStore::openid_user(std::string_view token, std::int64_t now_ts) {
  const std::string digest = token_digest(token);
  auto rows = session_.query(sql_.openid_lookup, {std::string_view(digest), now_ts});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

void SqlReportStore::add(const Report& r) {
  session_.execute(sql_.insert, {std::string_view(r.room_id), std::string_view(r.event_id),
                                 std::string_view(r.user_id), nullable(r.reason), nullable(r.score),
                                 r.received_ts, nullable(r.target_user_id)});
}

void SqlReportStore::add_openid_token(std::string_view token, std::string_view user_id, std::int64_t expires_ts,
                                      std::int64_t now_ts) {
  session_.execute(sql_.openid_purge, {now_ts});
  const std::string digest = token_digest(token);
  session_.execute(sql_.openid_insert, {std::string_view(digest), user_id, expires_ts});
}

}  // namespace ranvier::storage::sql
