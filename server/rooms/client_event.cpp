#include "rooms/client_event.hpp"

#include "core/redaction.hpp"

namespace ranvier::rooms {

nlohmann::json client_event(const storage::StoredEvent& event, const core::RoomVersion& version,
                            std::int64_t now_ms, const storage::StoredEvent* redaction) {
  auto pdu = nlohmann::json::parse(event.json, nullptr, false);
  if (!pdu.is_object()) {
    pdu = nlohmann::json::object();
  }
  nlohmann::json out = {{"event_id", event.event_id},
                        {"room_id", event.room_id},
                        {"type", event.type},
                        {"sender", event.sender},
                        {"origin_server_ts", event.origin_server_ts}};
  if (event.state_key) {
    out["state_key"] = *event.state_key;
  }
  nlohmann::json unsigned_data = pdu.value("unsigned", nlohmann::json::object());
  if (!unsigned_data.is_object()) {
    unsigned_data = nlohmann::json::object();
  }
  unsigned_data["age"] = std::max<std::int64_t>(0, now_ms - event.origin_server_ts);
  if (redaction != nullptr) {
    out["content"] = core::redact(pdu, version).value("content", nlohmann::json::object());
    unsigned_data.erase("prev_content");
    unsigned_data["redacted_because"] = client_event(*redaction, version, now_ms);
  } else {
    out["content"] = pdu.value("content", nlohmann::json::object());
  }
  // Clients of every version look for `redacts` at the top level; v11+ keeps it in content.
  if (event.type == "m.room.redaction") {
    if (pdu.contains("redacts")) {
      out["redacts"] = pdu["redacts"];
    } else if (out["content"].contains("redacts")) {
      out["redacts"] = out["content"]["redacts"];
    }
  }
  out["unsigned"] = std::move(unsigned_data);
  return out;
}

nlohmann::json stripped_state_event(const storage::StoredEvent& event) {
  auto pdu = nlohmann::json::parse(event.json, nullptr, false);
  nlohmann::json content = pdu.is_object() ? pdu.value("content", nlohmann::json::object()) : nlohmann::json::object();
  return {{"type", event.type},
          {"state_key", event.state_key.value_or("")},
          {"sender", event.sender},
          {"content", std::move(content)}};
}

}  // namespace ranvier::rooms
