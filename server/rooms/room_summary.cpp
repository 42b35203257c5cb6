#include "rooms/room_summary.hpp"

#include "rooms/history_visibility.hpp"
#include "rooms/state_content.hpp"

namespace ranvier::rooms {

nlohmann::json room_summary(storage::ReadTx& tx, const storage::Room& room) {
  const auto& id = room.room_id;
  const auto join_rule = current_state_string(tx, id, "m.room.join_rules", "join_rule").value_or("invite");
  nlohmann::json summary = {
      {"room_id", id},
      {"room_version", room.room_version},
      {"num_joined_members", tx.rooms().members(id, storage::Membership::join).size()},
      {"world_readable", current_history_visibility(tx, id) == "world_readable"},
      {"guest_can_join", current_state_string(tx, id, "m.room.guest_access", "guest_access") == "can_join"},
      {"join_rule", join_rule}};
  const std::pair<const char*, std::pair<const char*, const char*>> optional_fields[] = {
      {"name", {"m.room.name", "name"}},
      {"topic", {"m.room.topic", "topic"}},
      {"canonical_alias", {"m.room.canonical_alias", "alias"}},
      {"avatar_url", {"m.room.avatar", "url"}},
      {"room_type", {"m.room.create", "type"}},
      {"encryption", {"m.room.encryption", "algorithm"}}};
  for (const auto& [field, source] : optional_fields) {
    if (auto value = current_state_string(tx, id, source.first, source.second)) {
      summary[field] = *value;
    }
  }
  if (join_rule == "restricted" || join_rule == "knock_restricted") {
    auto allowed = nlohmann::json::array();
    if (auto rule_id = tx.rooms().current_state_event(id, {"m.room.join_rules", ""})) {
      if (auto row = tx.events().get_row(*rule_id)) {
        auto pdu = nlohmann::json::parse(row->json, nullptr, false);
        const auto content = pdu.is_object() ? pdu.value("content", nlohmann::json::object()) : nlohmann::json::object();
        for (const auto& entry : content.value("allow", nlohmann::json::array())) {
          if (entry.is_object() && entry.value("type", "") == "m.room_membership" && entry.contains("room_id") &&
              entry["room_id"].is_string()) {
            allowed.push_back(entry["room_id"]);
          }
        }
      }
    }
    summary["allowed_room_ids"] = std::move(allowed);
  }
  return summary;
}

nlohmann::json space_children_state(storage::ReadTx& tx, const std::string& room_id, bool suggested_only) {
  auto children_state = nlohmann::json::array();
  for (const auto& [key, event_id] : tx.rooms().current_state_of_type(room_id, "m.space.child")) {
    auto row = tx.events().get_row(event_id);
    if (!row) {
      continue;
    }
    auto pdu = nlohmann::json::parse(row->json, nullptr, false);
    const auto content = pdu.is_object() ? pdu.value("content", nlohmann::json::object()) : nlohmann::json();
    // A child needs a non-empty `via` (client-server API, "m.space.child").
    const auto via = content.is_object() ? content.value("via", nlohmann::json()) : nlohmann::json();
    if (!via.is_array() || via.empty() || (suggested_only && content.value("suggested", false) != true)) {
      continue;
    }
    children_state.push_back({{"type", "m.space.child"},
                              {"state_key", key.state_key},
                              {"sender", row->sender},
                              {"content", content},
                              {"origin_server_ts", row->origin_server_ts}});
  }
  return children_state;
}

}  // namespace ranvier::rooms
