#include "rooms/state_content.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::rooms {

std::optional<std::string> event_content_string(storage::ReadTx& tx, std::string_view event_id, const char* field) {
  auto event = tx.events().get_row(event_id);
  if (!event) {
    return std::nullopt;
  }
  auto pdu = nlohmann::json::parse(event->json, nullptr, false);
  if (!pdu.is_object() || !pdu.contains("content") || !pdu["content"].is_object()) {
    return std::nullopt;
  }
  const auto& content = pdu["content"];
  if (!content.contains(field) || !content[field].is_string()) {
    return std::nullopt;
  }
  return content[field].get<std::string>();
}

std::optional<std::string> current_state_string(storage::ReadTx& tx, const std::string& room_id,
                                                std::string_view type, const char* field) {
  auto id = tx.rooms().current_state_event(room_id, {std::string(type), ""});
  return id ? event_content_string(tx, *id, field) : std::nullopt;
}

std::optional<auth::PowerLevels> current_power_levels(storage::ReadTx& tx, TxEventSource& events,
                                                      const std::string& room_id, const core::RoomVersion& version) {
  auto create_id = tx.rooms().current_state_event(room_id, {"m.room.create", ""});
  const auto* create = create_id ? events.fetch(*create_id) : nullptr;
  if (create == nullptr) {
    return std::nullopt;
  }
  auto power_id = tx.rooms().current_state_event(room_id, {"m.room.power_levels", ""});
  return auth::PowerLevels(power_id ? events.fetch(*power_id) : nullptr, *create, version);
}

}  // namespace ranvier::rooms
