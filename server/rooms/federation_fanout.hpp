#pragma once
// Which servers hear of an event (server-server API, "Transactions" and "PDUs"): the server
// that accepted an event from one of its users sends it to every other server with a joined
// member in the room. A membership change also goes to the affected user's server, so a
// server whose last user was kicked, banned or left still learns of it. The PDUs are queued
// in the caller's write transaction (storage's federation outbox), so an event is either
// stored and queued, or neither.

#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::rooms {

/// The servers `pdu` must go to, from the room's joined members after it was persisted, in
/// byte order, without `own_server` and without `except` (e.g. the server it came from).
/// `joined_servers`: those members' servers when already read in this transaction after the
/// event (count_notifications reports them), in byte order; read from storage otherwise.
std::vector<std::string> fanout_destinations(storage::ReadTx& tx, const nlohmann::json& pdu, std::string_view own_server,
                                             std::string_view except = {},
                                             std::optional<std::vector<std::string>> joined_servers = std::nullopt);

/// The PDU as other servers receive it: what was stored, without this server's own
/// `unsigned` annotations (replaced state, transaction IDs).
nlohmann::json federation_form(const nlohmann::json& stored_pdu);

/// The other servers with a joined member in the room: where its EDUs (typing, receipts) go.
std::vector<std::string> edu_destinations(storage::ReadTx& tx, const std::string& room_id, std::string_view own_server);

/// The other servers with a joined member in any room `user_id` is joined to: where news of
/// the user's devices, keys and presence goes; in byte order.
std::vector<std::string> user_edu_destinations(storage::ReadTx& tx, const std::string& user_id,
                                               std::string_view own_server);

/// Queues an EDU (`{"edu_type": …, "content": …}`) for each of `destinations`.
void queue_edu(storage::WriteTx& tx, const std::vector<std::string>& destinations, const nlohmann::json& edu);

/// Queues an EDU about a room for edu_destinations; returns how many.
std::size_t queue_edu_for_room_servers(storage::WriteTx& tx, const std::string& room_id, const nlohmann::json& edu,
                                       std::string_view own_server);

/// Queues `pdu` for every destination `fanout_destinations` names; returns how many.
std::size_t queue_for_room_servers(storage::WriteTx& tx, const nlohmann::json& pdu, std::string_view own_server,
                                   std::string_view except = {},
                                   std::optional<std::vector<std::string>> joined_servers = std::nullopt);

}  // namespace ranvier::rooms
