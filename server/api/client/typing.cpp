// PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId} (client-server API, "Typing
// Notifications"). Typing is ephemeral: kept in memory, delivered in /sync's `ephemeral`.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "rooms/federation_fanout.hpp"
#include "rooms/typing.hpp"

#include <algorithm>

namespace ranvier::api::client_server {
namespace {

/// Synapse's default when the client gives none, and a cap so a client cannot pin itself.
constexpr std::int64_t default_timeout_ms = 30'000;
constexpr std::int64_t max_timeout_ms = 120'000;

}  // namespace

ApiResponse setTyping(RequestContext& ctx, const SetTypingRequest& req) {
  if (req.user_id != ctx.principal->user_id) {
    throw MatrixError(ErrCode::forbidden, "You may only set your own typing state");
  }
  // Typing changes often: the write transaction for other servers' copies is taken only when
  // the room has other servers.
  const auto destinations = ctx.services.database.read([&](storage::ReadTx& tx) {
    room_version(tx, req.room_id);
    require_joined(tx, req.room_id, req.user_id);
    return rooms::edu_destinations(tx, req.room_id, ctx.services.pipeline.server_name());
  });
  if (req.timeout && *req.timeout < 0) {
    throw MatrixError(ErrCode::invalid_param, "timeout must not be negative");
  }
  const auto timeout = std::chrono::milliseconds(std::min(req.timeout.value_or(default_timeout_ms), max_timeout_ms));
  if (ctx.services.typing.set(req.room_id, req.user_id, req.typing, timeout)) {
    if (destinations.empty()) {
      ctx.services.notifier.notify();
    } else {
      // Other servers in the room show it too (server-server API, "Typing Notifications");
      // they time it out themselves.
      write_and_notify(ctx, [&](storage::WriteTx& tx) {
        rooms::queue_edu(tx, destinations,
                         {{"edu_type", "m.typing"},
                          {"content", {{"room_id", req.room_id}, {"user_id", req.user_id}, {"typing", req.typing}}}});
      });
    }
  }
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
