#pragma once
// Presence changes of this server's users sent to other servers as m.presence EDUs
// (server-server API, "Presence"): what a user chose or a /sync set is queued by the client
// API; a user gone offline by the idle timeout is queued from the expiry loop through here.

#include "rooms/presence.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::rooms {

/// One entry of an m.presence EDU's `push` list: user_id, presence, last_active_ago and
/// currently_active (required there), and status_msg when set.
nlohmann::json presence_push_entry(const std::string& user_id, const PresenceState& state, std::int64_t now_ms);

/// Queues, in one write transaction, each of this server's users among `user_ids` with their
/// current presence for the other servers sharing a room with them (users of other servers are
/// left out: their own server speaks for them). Returns how many EDUs were queued.
std::size_t queue_presence_of(storage::Database& database, const Presence& presence,
                              const std::vector<std::string>& user_ids, std::string_view own_server,
                              std::int64_t now_ms);

}  // namespace ranvier::rooms
