#include "rooms/presence_sharing.hpp"

#include "core/identifiers.hpp"
#include "rooms/federation_fanout.hpp"

#include <algorithm>

namespace ranvier::rooms {

nlohmann::json presence_push_entry(const std::string& user_id, const PresenceState& state, std::int64_t now_ms) {
  nlohmann::json entry = {{"user_id", user_id},
                          {"presence", state.presence},
                          {"last_active_ago", std::int64_t{0}},
                          {"currently_active", false}};
  if (state.last_active_ts > 0) {
    entry["last_active_ago"] = std::max<std::int64_t>(0, now_ms - state.last_active_ts);
    entry["currently_active"] = state.presence == "online";
  }
  if (state.status_msg) {
    entry["status_msg"] = *state.status_msg;
  }
  return entry;
}

std::size_t queue_presence_of(storage::Database& database, const Presence& presence,
                              const std::vector<std::string>& user_ids, std::string_view own_server,
                              std::int64_t now_ms) {
  std::vector<std::string> local;
  for (const auto& user_id : user_ids) {
    if (core::server_name_of(user_id) == own_server) {
      local.push_back(user_id);
    }
  }
  if (local.empty()) {
    return 0;
  }
  return database.write([&](storage::WriteTx& tx) {
    std::size_t queued = 0;
    for (const auto& user_id : local) {
      const auto destinations = user_edu_destinations(tx, user_id, std::string(own_server));
      if (destinations.empty()) {
        continue;
      }
      const nlohmann::json update = presence_push_entry(user_id, presence.get(user_id), now_ms);
      queue_edu(tx, destinations, {{"edu_type", "m.presence"}, {"content", {{"push", {update}}}}});
      queued += destinations.size();
    }
    return queued;
  });
}

}  // namespace ranvier::rooms
