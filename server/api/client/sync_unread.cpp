#include "api/client/sync_unread.hpp"

namespace ranvier::api::client_server {
namespace {

nlohmann::json counts_json(std::int64_t notifications, std::int64_t highlights) {
  return {{"notification_count", notifications}, {"highlight_count", highlights}};
}

}  // namespace

UnreadCounts::UnreadCounts(storage::ReadTx& tx, const std::string& user_id) {
  std::vector<std::string> rooms;
  for (const auto& member : tx.rooms().rooms_for_user(user_id, storage::Membership::join)) {
    rooms.push_back(member.room_id);
  }
  for (auto& count : tx.notifications().unread_counts(user_id, rooms)) {
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

void add_unread_counts(storage::ReadTx& tx, std::optional<UnreadCounts>& slot, const std::string& user_id,
                       const std::string& room_id, bool per_thread, nlohmann::json& room) {
  if (!slot) {
    slot.emplace(tx, user_id);
  }
  slot->add_to(room, room_id, per_thread);
}

}  // namespace ranvier::api::client_server
