#include "core/auth/memory_event_store.hpp"

namespace ranvier::auth {

bool MemoryEventStore::add(nlohmann::json pdu, bool rejected) {
  if (!pdu.is_object()) {
    return false;
  }
  auto it = pdu.find("event_id");
  if (it == pdu.end() || !it->is_string()) {
    return false;
  }
  std::string id = it->get<std::string>();
  set_rejected(id, rejected);
  events_.insert_or_assign(std::move(id), std::move(pdu));
  return true;
}

void MemoryEventStore::set_rejected(std::string_view event_id, bool rejected) {
  if (rejected) {
    rejected_.emplace(event_id);
  } else if (auto it = rejected_.find(event_id); it != rejected_.end()) {
    rejected_.erase(it);
  }
}

const nlohmann::json* MemoryEventStore::fetch(std::string_view event_id) const {
  auto it = events_.find(event_id);
  return it == events_.end() ? nullptr : &it->second;
}

bool MemoryEventStore::is_rejected(std::string_view event_id) const { return rejected_.find(event_id) != rejected_.end(); }

}  // namespace ranvier::auth
