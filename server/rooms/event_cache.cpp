#include "rooms/event_cache.hpp"

namespace ranvier::rooms {

std::shared_ptr<const ParsedEvent> EventCache::find(std::string_view event_id) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(std::string(event_id));
  if (it == slots_.end()) {
    return nullptr;
  }
  order_.splice(order_.begin(), order_, it->second.position);
  return it->second.event;
}

void EventCache::put(const std::string& event_id, std::shared_ptr<const ParsedEvent> event) {
  if (capacity_ == 0) {
    return;
  }
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(event_id); it != slots_.end()) {
    it->second.event = std::move(event);
    order_.splice(order_.begin(), order_, it->second.position);
    return;
  }
  order_.push_front(event_id);
  slots_.emplace(event_id, Slot{std::move(event), order_.begin()});
  if (slots_.size() > capacity_) {
    slots_.erase(order_.back());
    order_.pop_back();
  }
}

void EventCache::erase(std::string_view event_id) {
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(std::string(event_id)); it != slots_.end()) {
    order_.erase(it->second.position);
    slots_.erase(it);
  }
}

std::size_t EventCache::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace ranvier::rooms
