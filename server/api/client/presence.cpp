// GET and PUT /_matrix/client/v3/presence/{userId}/status (client-server API, "Presence").
// Presence is visible to the user and to those who share a room with them; it can be switched
// off in the configuration (`presence.enabled`), after which everyone reads as offline and
// nothing is sent to other servers. Changes go to the servers sharing a room with the user.

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "config/config.hpp"
#include "rooms/federation_fanout.hpp"
#include "rooms/notifier.hpp"
#include "rooms/presence.hpp"
#include "rooms/presence_sharing.hpp"

#include <map>
#include <mutex>

namespace ranvier::api::client_server {
namespace {

/// Other servers (Ranvier among them, after its idle timeout of 5 minutes) take a remote user
/// for offline when told nothing for a while: a local user who stays online is announced again
/// after this long.
constexpr std::int64_t presence_refresh_ms = 2 * 60 * 1000;

/// When each local user's presence was last sent to other servers.
class LastShared {
 public:
  void record(const std::string& user_id, std::int64_t now) {
    std::lock_guard lock(mutex_);
    at_[user_id] = now;
  }

  bool due(const std::string& user_id, std::int64_t now) const {
    std::lock_guard lock(mutex_);
    const auto it = at_.find(user_id);
    return it == at_.end() || now - it->second >= presence_refresh_ms;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> at_;
};

LastShared last_shared;

/// Queues the user's current presence for `destinations` (wakes /sync and the sender).
void queue_presence(RequestContext& ctx, const std::string& user_id, const std::vector<std::string>& destinations) {
  const auto now = now_ms();
  const auto update = rooms::presence_push_entry(user_id, ctx.services.presence.get(user_id), now);
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    rooms::queue_edu(tx, destinations, {{"edu_type", "m.presence"}, {"content", {{"push", {update}}}}});
  });
  last_shared.record(user_id, now);
}

std::vector<std::string> presence_destinations(RequestContext& ctx, const std::string& user_id) {
  return ctx.services.database.read([&](storage::ReadTx& tx) {
    return rooms::user_edu_destinations(tx, user_id, ctx.services.identity.server_name);
  });
}

}  // namespace

nlohmann::json presence_content(const rooms::PresenceState& state, std::int64_t now) {
  nlohmann::json content = {{"presence", state.presence}};
  if (state.last_active_ts > 0) {
    content["last_active_ago"] = std::max<std::int64_t>(0, now - state.last_active_ts);
    content["currently_active"] = state.presence == "online";
  }
  if (state.status_msg) {
    content["status_msg"] = *state.status_msg;
  }
  return content;
}

void share_presence(RequestContext& ctx, const std::string& user_id) {
  const auto destinations = presence_destinations(ctx, user_id);
  if (destinations.empty()) {
    ctx.services.notifier.notify();
    return;
  }
  queue_presence(ctx, user_id, destinations);
}

void presence_after_sync(RequestContext& ctx, const std::string& user_id, const std::string& set_presence) {
  if (!ctx.services.config.presence_enabled) {
    return;
  }
  const auto now = now_ms();
  if (ctx.services.presence.synced(user_id, set_presence, now)) {
    share_presence(ctx, user_id);
    return;
  }
  if (ctx.services.presence.get(user_id).presence == "online" && last_shared.due(user_id, now)) {
    if (const auto destinations = presence_destinations(ctx, user_id); !destinations.empty()) {
      queue_presence(ctx, user_id, destinations);
    } else {
      last_shared.record(user_id, now);
    }
  }
}

ApiResponse getPresence(RequestContext& ctx, const GetPresenceRequest& req) {
  const auto& me = ctx.principal->user_id;
  ctx.services.database.read([&](storage::ReadTx& tx) {
    auto account = tx.accounts().get(req.user_id);
    if (!account) {
      throw MatrixError(ErrCode::not_found, "Unknown user " + req.user_id);
    }
    if (req.user_id == me) {
      return;
    }
    // Only people sharing a room with the user see their presence (Synapse's rule).
    for (const auto& room : tx.rooms().rooms_for_user(me, storage::Membership::join)) {
      auto theirs = tx.rooms().membership(room.room_id, req.user_id);
      if (theirs && theirs->membership == storage::Membership::join) {
        return;
      }
    }
    throw MatrixError(ErrCode::forbidden, "You do not share a room with " + req.user_id);
  });
  const auto state = ctx.services.config.presence_enabled ? ctx.services.presence.get(req.user_id)
                                                          : rooms::PresenceState{};
  return json_response(presence_content(state, now_ms()));
}

ApiResponse setPresence(RequestContext& ctx, const SetPresenceRequest& req) {
  if (req.user_id != ctx.principal->user_id) {
    throw MatrixError(ErrCode::forbidden, "You may only set your own presence");
  }
  if (req.presence != "online" && req.presence != "unavailable" && req.presence != "offline") {
    throw MatrixError(ErrCode::invalid_param, "presence must be online, unavailable or offline");
  }
  if (ctx.services.config.presence_enabled &&
      ctx.services.presence.set(req.user_id, req.presence, req.status_msg, now_ms())) {
    share_presence(ctx, req.user_id);
  }
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
