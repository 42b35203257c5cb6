#include "rooms/invite_state.hpp"

namespace ranvier::rooms {

nlohmann::json invite_room_state(const storage::StoredEvent& invite) {
  auto out = nlohmann::json::array();
  auto pdu = nlohmann::json::parse(invite.json, nullptr, false);
  if (!pdu.is_object() || !pdu.contains("unsigned") || !pdu["unsigned"].is_object()) {
    return out;
  }
  const auto& kept = pdu["unsigned"];
  // An invite carries `invite_room_state`, a knock of ours the `knock_room_state` answered.
  const auto state = kept.contains("invite_room_state") ? kept["invite_room_state"]
                                                        : kept.value("knock_room_state", nlohmann::json::array());
  if (!state.is_array()) {
    return out;
  }
  for (const auto& event : state) {
    if (!event.is_object() || !event.contains("type") || !event["type"].is_string() || !event.contains("state_key") ||
        !event["state_key"].is_string()) {
      continue;
    }
    // Other servers send full PDUs (spec v1.16); clients get the stripped form.
    nlohmann::json stripped = nlohmann::json::object();
    for (const char* key : {"type", "state_key", "sender", "content"}) {
      if (event.contains(key)) {
        stripped[key] = event[key];
      }
    }
    out.push_back(std::move(stripped));
  }
  return out;
}

}  // namespace ranvier::rooms
