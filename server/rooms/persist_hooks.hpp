#pragma once
// What every accepted timeline event gets in its own write transaction right after the persist
// phase: unread counts and notifications for local members (notification_counts.hpp) and the
// full-text index (search_index.hpp). One call from the pipeline, so neither can be forgotten
// on some path into the room.

#include "core/room_version.hpp"
#include "rooms/tx_event_source.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::rooms {

/// Runs the after-persist work for an accepted (neither rejected nor soft-failed nor outlier)
/// event stored at `stream`. `joined_servers`, when given, receives what count_notifications
/// reports there.
void after_persist(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                   std::string_view server_name, const std::string& room_id, const nlohmann::json& pdu,
                   const std::string& event_id, std::int64_t stream,
                   std::optional<std::vector<std::string>>* joined_servers = nullptr);

}  // namespace ranvier::rooms
