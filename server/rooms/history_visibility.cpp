#include "rooms/history_visibility.hpp"

#include "rooms/state_content.hpp"

namespace ranvier::rooms {
namespace {

/// A string field of the event `event_id` names (when it names one), else `fallback`.
std::string content_string(storage::ReadTx& tx, const std::optional<std::string>& event_id, const char* key,
                           std::string fallback) {
  if (!event_id) {
    return fallback;
  }
  return event_content_string(tx, *event_id, key).value_or(std::move(fallback));
}

}  // namespace

std::string current_history_visibility(storage::ReadTx& tx, const std::string& room_id) {
  return current_state_string(tx, room_id, "m.room.history_visibility", "history_visibility").value_or("shared");
}

HistoryVisibility::HistoryVisibility(storage::ReadTx& tx, std::string room_id, std::string user_id)
    : tx_(tx), room_id_(std::move(room_id)), user_id_(std::move(user_id)) {
  membership_ = tx_.rooms().membership(room_id_, user_id_);
}

bool HistoryVisibility::may_read_room() {
  if (membership_ && !membership_->forgotten && membership_->membership != storage::Membership::invite &&
      membership_->membership != storage::Membership::knock) {
    return true;
  }
  return current_history_visibility(tx_, room_id_) == "world_readable";
}

bool HistoryVisibility::may_see(const storage::StoredEvent& event) {
  // Fast path: a joined user sees everything since their join.
  if (membership_ && membership_->membership == storage::Membership::join && event.stream >= membership_->stream) {
    return true;
  }
  // Everyone sees their own membership changes (a kick, a ban, their invite).
  if (event.type == "m.room.member" && event.state_key == user_id_) {
    return true;
  }
  auto group = tx_.state().event_state_group(event.event_id);
  if (!group) {
    return false;
  }
  const storage::StateKey keys[] = {{"m.room.history_visibility", ""}, {"m.room.member", user_id_}};
  auto state = tx_.state().state_for_keys(*group, keys);
  auto find = [&](const storage::StateKey& key) -> std::optional<std::string> {
    auto it = state.find(key);
    return it == state.end() ? std::nullopt : std::optional(it->second);
  };
  const auto visibility = content_string(tx_, find(keys[0]), "history_visibility", "shared");
  if (visibility == "world_readable") {
    return true;
  }
  if (membership_ && membership_->forgotten) {
    return false;
  }
  const auto membership = content_string(tx_, find(keys[1]), "membership", "leave");
  if (membership == "join") {
    return true;
  }
  if (visibility == "shared") {
    return membership_ && membership_->membership == storage::Membership::join;
  }
  if (visibility == "invited") {
    return membership == "invite";
  }
  return false;
}

}  // namespace ranvier::rooms
