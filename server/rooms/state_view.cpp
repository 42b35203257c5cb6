#include "rooms/state_view.hpp"

namespace ranvier::rooms {

std::optional<std::string> StateView::event_id(const storage::StateKey& key) const {
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    it = cache_.emplace(key, lookup_(key)).first;
  }
  return it->second;
}

const nlohmann::json* StateView::get(std::string_view type, std::string_view state_key) const {
  auto id = event_id(storage::StateKey{std::string(type), std::string(state_key)});
  return id ? events_.fetch(*id) : nullptr;
}

StateView StateView::current(storage::ReadTx& tx, std::string room_id, TxEventSource& events) {
  return StateView(
      [&tx, room_id = std::move(room_id)](const storage::StateKey& key) {
        return tx.rooms().current_state_event(room_id, key);
      },
      events);
}

StateView StateView::of_group(storage::ReadTx& tx, std::int64_t group, TxEventSource& events) {
  return StateView(
      [&tx, group](const storage::StateKey& key) -> std::optional<std::string> {
        auto found = tx.state().state_for_keys(group, std::span(&key, 1));
        if (found.empty()) {
          return std::nullopt;
        }
        return found.begin()->second;
      },
      events);
}

StateView StateView::of_map(const storage::StateMap& state, TxEventSource& events) {
  return StateView(
      [&state](const storage::StateKey& key) -> std::optional<std::string> {
        auto it = state.find(key);
        if (it == state.end()) {
          return std::nullopt;
        }
        return it->second;
      },
      events);
}

}  // namespace ranvier::rooms
