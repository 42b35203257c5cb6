#include "rooms/persist_hooks.hpp"

#include "rooms/notification_counts.hpp"
#include "rooms/search_index.hpp"

namespace ranvier::rooms {

void after_persist(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                   std::string_view server_name, const std::string& room_id, const nlohmann::json& pdu,
                   const std::string& event_id, std::int64_t stream) {
  index_for_search(tx, pdu, stream);
  count_notifications(tx, events, version, server_name, room_id, pdu, event_id, stream);
}

}  // namespace ranvier::rooms
