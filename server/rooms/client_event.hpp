#pragma once
// Events as clients see them (client-server API, "Room Event Format"): the PDU without its
// DAG and crypto fields, with `unsigned` (age, prev_content, redacted_because) filled in, and
// pruned by the redaction algorithm once redacted.

#include "core/room_version.hpp"
#include "storage/events.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>

namespace ranvier::rooms {

/// The client form of a stored event. `redaction` is the stored redaction event when the
/// event was redacted (its client form goes into `unsigned.redacted_because`); `now_ms` gives
/// `unsigned.age`.
nlohmann::json client_event(const storage::StoredEvent& event, const core::RoomVersion& version,
                            std::int64_t now_ms, const storage::StoredEvent* redaction = nullptr);

/// The stripped form used for invite_state and knock_state: type, state_key, sender, content.
nlohmann::json stripped_state_event(const storage::StoredEvent& event);

}  // namespace ranvier::rooms
