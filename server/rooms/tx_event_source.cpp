#include "rooms/tx_event_source.hpp"

namespace ranvier::rooms {

const ParsedEvent* TxEventSource::load(std::string_view event_id) const {
  std::string key(event_id);
  if (auto it = cache_.find(key); it != cache_.end()) {
    return it->second.get();
  }
  std::shared_ptr<const ParsedEvent> event = shared_ != nullptr ? shared_->find(key) : nullptr;
  if (!event) {
    if (auto stored = tx_.events().get_row(event_id)) {
      auto pdu = nlohmann::json::parse(stored->json, nullptr, false);
      if (pdu.is_object()) {
        pdu["event_id"] = stored->event_id;
        event = std::make_shared<const ParsedEvent>(ParsedEvent{std::move(pdu), stored->rejected()});
        if (shared_ != nullptr) {
          shared_->put(key, event);
        }
      }
    }
  }
  return cache_.emplace(std::move(key), std::move(event)).first->second.get();
}

const nlohmann::json* TxEventSource::fetch(std::string_view event_id) const {
  const auto* event = load(event_id);
  return event != nullptr ? &event->pdu : nullptr;
}

bool TxEventSource::is_rejected(std::string_view event_id) const {
  const auto* event = load(event_id);
  return event != nullptr && event->rejected;
}

const nlohmann::json& TxEventSource::add(const std::string& event_id, nlohmann::json pdu, bool rejected) {
  pdu["event_id"] = event_id;
  auto event = std::make_shared<const ParsedEvent>(ParsedEvent{std::move(pdu), rejected});
  const auto& stored = event->pdu;
  cache_[event_id] = std::move(event);
  return stored;
}

}  // namespace ranvier::rooms
