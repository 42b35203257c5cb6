#include "rooms/invite_state.hpp"

namespace ranvier::rooms {

nlohmann::json invite_room_state(const storage::StoredEvent& invite) {
  auto out = nlohmann::json::array();
  auto pdu = nlohmann::json::parse(invite.json, nullptr, false);
  if (!pdu.is_object() || !pdu.contains("unsigned") || !pdu["unsigned"].is_object()) {
    return out;
  }
  const auto& state = pdu["unsigned"].value("invite_room_state", nlohmann::json::array());
  if (!state.is_array()) {
    return out;
  }
  for (const auto& event : state) {
    if (event.is_object() && event.contains("type") && event["type"].is_string() && event.contains("state_key") &&
        event["state_key"].is_string()) {
      out.push_back(event);
    }
  }
  return out;
}

}  // namespace ranvier::rooms
