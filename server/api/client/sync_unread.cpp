#include "api/client/sync_unread.hpp"

#include <vector>

namespace ranvier::api::client_server {
namespace {

nlohmann::json counts_json(std::int64_t notifications, std::int64_t highlights) {
  return {{"notification_count", notifications}, {"highlight_count", highlights}};
}

}  // namespace

UnreadCounts::UnreadCounts(storage::ReadTx& tx, const std::string& user_id, std::span<const std::string> room_ids) {
  for (auto& count : tx.notifications().unread_counts(user_id, room_ids)) {
    auto key = std::make_pair(count.room_id, count.thread_id);
    counts_.emplace(std::move(key), std::move(count));
  }
}

void UnreadCounts::add_to(nlohmann::json& room, const std::string& room_id, bool per_thread) const {
  std::int64_t notifications = 0;
  std::int64_t highlights = 0;
  auto threads = nlohmann::json::object();
  for (auto it = counts_.lower_bound({room_id, ""}); it != counts_.end() && it->first.first == room_id; ++it) {
    const auto& count = it->second;
    if (per_thread && count.thread_id != "main") {
      threads[count.thread_id] = counts_json(count.notifications, count.highlights);
      continue;
    }
    notifications += count.notifications;
    highlights += count.highlights;
  }
  room["unread_notifications"] = counts_json(notifications, highlights);
  if (per_thread && !threads.empty()) {
    room["unread_thread_notifications"] = std::move(threads);
  }
}

void add_unread_counts(storage::ReadTx& tx, const std::string& user_id, bool per_thread, nlohmann::json& joined) {
  if (joined.empty()) {
    return;
  }
  std::vector<std::string> room_ids;
  room_ids.reserve(joined.size());
  for (auto it = joined.begin(); it != joined.end(); ++it) {
    room_ids.push_back(it.key());
  }
  const UnreadCounts counts(tx, user_id, room_ids);
  for (auto it = joined.begin(); it != joined.end(); ++it) {
    counts.add_to(it.value(), it.key(), per_thread);
  }
}

}  // namespace ranvier::api::client_server
