#pragma once
// Reading one string out of a state event's content: the join rule, history visibility,
// guest access, a room's name... — what several endpoints ask of the room state.

#include "core/auth/power_levels.hpp"
#include "rooms/tx_event_source.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ranvier::rooms {

/// `content[field]` of a stored event when it is a string; nullopt otherwise (or unknown event).
std::optional<std::string> event_content_string(storage::ReadTx& tx, std::string_view event_id, const char* field);

/// `content[field]` of the room's current state event of `type` (state key "").
std::optional<std::string> current_state_string(storage::ReadTx& tx, const std::string& room_id,
                                                std::string_view type, const char* field);

/// The room's current power levels; nullopt when the room has no create event (unknown room).
/// The result points into `events`, which must outlive it.
std::optional<auth::PowerLevels> current_power_levels(storage::ReadTx& tx, TxEventSource& events,
                                                      const std::string& room_id, const core::RoomVersion& version);

}  // namespace ranvier::rooms
