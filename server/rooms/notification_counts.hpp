#pragma once
// Push-rule evaluation of each new event for the room's local members (client-server API,
// "Push Rules", "Receiving notifications"): the users whose rules say `notify` get a stored
// push action, which /sync counts as unread until a receipt covers it and GET /notifications
// lists. Runs in the event's write transaction, so counts never disagree with the timeline.

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

/// The thread an event belongs to for counts and receipts: the root's event ID when the event
/// is an `m.thread` relation, "main" otherwise.
std::string thread_of(const nlohmann::json& event);

/// Evaluates a persisted event (`pdu`, stored at `stream`) against the push rules of every
/// joined member of `server_name` except the sender and records the notifying outcomes.
/// Parsed rulesets and display names are cached between calls (keyed by what identifies their
/// stored version), so a send into a big room reads two small queries' worth of rows.
/// `joined_servers`, when given, receives the servers of the room's joined members (in byte
/// order, as RoomStore::joined_servers) from the member list it reads anyway; it stays unset
/// when the event has no sender.
void count_notifications(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                         std::string_view server_name, const std::string& room_id, const nlohmann::json& pdu,
                         const std::string& event_id, std::int64_t stream,
                         std::optional<std::vector<std::string>>* joined_servers = nullptr);

}  // namespace ranvier::rooms
