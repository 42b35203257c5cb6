#include "rooms/tx_event_source.hpp"

namespace ranvier::rooms {

const TxEventSource::Entry& TxEventSource::load(std::string_view event_id) const {
  std::string key(event_id);
  if (auto it = cache_.find(key); it != cache_.end()) {
    return it->second;
  }
  Entry entry;
  if (auto stored = tx_.events().get_row(event_id)) {
    auto pdu = nlohmann::json::parse(stored->json, nullptr, false);
    if (pdu.is_object()) {
      pdu["event_id"] = stored->event_id;
      entry.pdu = std::make_unique<nlohmann::json>(std::move(pdu));
      entry.rejected = stored->rejected();
    }
  }
  return cache_.emplace(std::move(key), std::move(entry)).first->second;
}

const nlohmann::json* TxEventSource::fetch(std::string_view event_id) const {
  return load(event_id).pdu.get();
}

bool TxEventSource::is_rejected(std::string_view event_id) const {
  return load(event_id).rejected;
}

const nlohmann::json& TxEventSource::add(const std::string& event_id, nlohmann::json pdu, bool rejected) {
  pdu["event_id"] = event_id;
  auto& entry = cache_[event_id];
  entry.pdu = std::make_unique<nlohmann::json>(std::move(pdu));
  entry.rejected = rejected;
  return *entry.pdu;
}

}  // namespace ranvier::rooms
