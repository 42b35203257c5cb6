#include "rooms/persist_hooks.hpp"

#include "rooms/notification_counts.hpp"
#include "rooms/search_index.hpp"

namespace ranvier::rooms {
namespace {

/// A local user joining starts reading the room at their join: unread counts then only look at
/// what came after it, however long the room's history. A member event that keeps them joined
/// (a new display name) moves nothing.
void start_read_mark(storage::WriteTx& tx, std::string_view server_name, const std::string& room_id,
                     const nlohmann::json& pdu, std::int64_t stream) {
  if (pdu.value("type", "") != "m.room.member" || !pdu.contains("state_key") || !pdu["state_key"].is_string()) {
    return;
  }
  const auto& user = pdu["state_key"].get_ref<const std::string&>();
  const auto& content = pdu["content"];
  if (!content.is_object() || content.value("membership", "") != "join" ||
      !user.ends_with(":" + std::string(server_name))) {
    return;
  }
  if (const auto unsigned_it = pdu.find("unsigned"); unsigned_it != pdu.end() && unsigned_it->is_object()) {
    const auto prev = unsigned_it->find("prev_content");
    if (prev != unsigned_it->end() && prev->is_object() && prev->value("membership", "") == "join") {
      return;
    }
  }
  tx.notifications().mark_read(user, room_id, "", stream);
}

}  // namespace

void after_persist(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                   std::string_view server_name, const std::string& room_id, const nlohmann::json& pdu,
                   const std::string& event_id, std::int64_t stream,
                   std::optional<std::vector<std::string>>* joined_servers) {
  index_for_search(tx, pdu, stream);
  count_notifications(tx, events, version, server_name, room_id, pdu, event_id, stream, joined_servers);
  start_read_mark(tx, server_name, room_id, pdu, stream);
}

}  // namespace ranvier::rooms
