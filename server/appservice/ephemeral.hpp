#pragma once
// Ephemeral data for application services with `receive_ephemeral` (application service API,
// "Pushing ephemeral data", spec v1.13): the m.receipt, m.typing and m.presence EDUs a service
// is interested in, built from what changed since the service last heard. Receipts come from
// the database; typing and presence live in memory, so a queued transaction keeps a copy of
// what it carries.

#include "appservice/registry.hpp"
#include "rooms/presence.hpp"
#include "rooms/typing.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ranvier::appservice {

/// A room's aliases and joined or invited members: what room interest is decided from.
struct RoomFacts {
  std::vector<std::string> aliases;
  std::vector<std::string> members;
};

/// Looks a room's facts up, reading them once per cache.
const RoomFacts& facts_of(storage::ReadTx& tx, std::map<std::string, RoomFacts>& cache, const std::string& room_id);

/// A room's facts, from whatever cache the caller keeps.
using RoomFactsOf = std::function<const RoomFacts&(const std::string&)>;

/// True if the service is interested in what happens in the room (its namespaces, a member's).
bool interested_in_room(const Registry& registry, const Registration& service, const std::string& room_id,
                        const RoomFactsOf& facts_of_room);

/// One m.receipt per room the service is interested in, as /sync shows it, with the room ID;
/// private receipts only of the service's own users.
nlohmann::json receipt_edus(const Registry& registry, const Registration& service,
                            const std::vector<storage::StreamedReceipt>& receipts, const RoomFactsOf& facts_of_room);

/// One m.typing (the users typing now) with the room ID for each of `rooms` the service is
/// interested in.
nlohmann::json typing_edus(const Registry& registry, const Registration& service, const rooms::Typing& typing,
                           const std::vector<std::string>& rooms, const RoomFactsOf& facts_of_room);

/// The users whose presence the service hears about: this server's users in its namespaces
/// (and its sender), and everyone joined to a room with one of them.
std::vector<std::string> presence_audience(storage::ReadTx& tx, const Registry& registry,
                                           const Registration& service);

/// One m.presence per user, as /sync shows it (`sender`, `content` with presence,
/// last_active_ago, currently_active and status_msg when set).
nlohmann::json presence_edus(const std::vector<std::pair<std::string, rooms::PresenceState>>& changes,
                             std::int64_t now_ms);

}  // namespace ranvier::appservice
