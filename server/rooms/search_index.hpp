#pragma once
// What /search can find (client-server API, "Server Side Search"): the body of messages and the
// name and topic of rooms, indexed in the event's write transaction.

#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace ranvier::rooms {

/// The search key (`content.body`, `content.name`, `content.topic`) and text of an event, or
/// nullopt when its type has nothing searchable or the field is not a string.
std::optional<std::pair<std::string, std::string>> searchable_text(const nlohmann::json& event);

/// Adds the event stored at `stream` to the full-text index when it has searchable text.
void index_for_search(storage::WriteTx& tx, const nlohmann::json& event, std::int64_t stream);

}  // namespace ranvier::rooms
