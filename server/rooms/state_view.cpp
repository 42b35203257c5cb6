#include "rooms/state_view.hpp"

#include <vector>

namespace ranvier::rooms {

std::optional<std::string> StateView::event_id(const storage::StateKey& key) const {
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    auto found = lookup_(std::span(&key, 1));
    it = cache_.emplace(key, found.empty() ? std::nullopt : std::optional(std::move(found.begin()->second))).first;
  }
  return it->second;
}

void StateView::prefetch(std::span<const storage::StateKey> keys) const {
  std::vector<storage::StateKey> unseen;
  for (const auto& key : keys) {
    if (!cache_.contains(key)) {
      unseen.push_back(key);
    }
  }
  if (unseen.empty()) {
    return;
  }
  auto found = lookup_(unseen);
  for (auto& key : unseen) {
    auto it = found.find(key);
    cache_.emplace(std::move(key), it == found.end() ? std::nullopt : std::optional(std::move(it->second)));
  }
}

const nlohmann::json* StateView::get(std::string_view type, std::string_view state_key) const {
  auto id = event_id(storage::StateKey{std::string(type), std::string(state_key)});
  return id ? events_.fetch(*id) : nullptr;
}

StateView StateView::current(storage::ReadTx& tx, std::string room_id, TxEventSource& events) {
  return StateView(
      [&tx, room_id = std::move(room_id)](std::span<const storage::StateKey> keys) {
        if (keys.size() == 1) {
          auto id = tx.rooms().current_state_event(room_id, keys.front());
          return id ? storage::StateMap{{keys.front(), std::move(*id)}} : storage::StateMap{};
        }
        return tx.rooms().current_state_events(room_id, keys);
      },
      events);
}

StateView StateView::of_group(storage::ReadTx& tx, std::int64_t group, TxEventSource& events) {
  return StateView([&tx, group](std::span<const storage::StateKey> keys) { return tx.state().state_for_keys(group, keys); },
                   events);
}

StateView StateView::of_map(const storage::StateMap& state, TxEventSource& events) {
  return StateView(
      [&state](std::span<const storage::StateKey> keys) {
        storage::StateMap found;
        for (const auto& key : keys) {
          if (auto it = state.find(key); it != state.end()) {
            found.emplace(key, it->second);
          }
        }
        return found;
      },
      events);
}

}  // namespace ranvier::rooms
