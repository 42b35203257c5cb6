// Synapse's delete room admin API (docs/admin_api/rooms.md, "Delete Room API", in
// element-hq/synapse): local members leave through the event pipeline, the room can be
// blocked against local joins, its users moved to a new room with a message, and its history
// purged. Ranvier's purge deletes the message history (as purge_history with local events);
// the room's state and record stay. Admin only.

#include "api/admin/admin_actions.hpp"
#include "api/admin/admin_common.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/errors.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "storage/database.hpp"

#include <array>

namespace ranvier::api::admin {
namespace {

nlohmann::json shutdown_json(const ShutdownOutcome& outcome) {
  return {{"kicked_users", outcome.users.left},
          {"failed_to_kick_users", outcome.users.failed},
          {"local_aliases", outcome.local_aliases},
          {"new_room_id", outcome.new_room_id ? nlohmann::json(*outcome.new_room_id) : nlohmann::json(nullptr)}};
}

ShutdownOutcome run_shutdown(RequestContext& ctx, const std::string& room_id) {
  const auto body = object_body(ctx);
  ShutdownRequest request;
  request.requester = ctx.principal->user_id;
  request.block = optional_bool(body, "block").value_or(false);
  request.purge = optional_bool(body, "purge").value_or(true);
  optional_bool(body, "force_purge");
  request.new_room_user_id = optional_string(body, "new_room_user_id");
  if (auto name = optional_string(body, "room_name")) {
    request.room_name = *name;
  }
  if (auto message = optional_string(body, "message")) {
    request.message = *message;
  }
  ctx.services.database.read([&](storage::ReadTx& tx) {
    if (!request.block && !tx.rooms().get(room_id)) {
      throw MatrixError(ErrCode::not_found, "Room not found");
    }
    if (request.new_room_user_id) {
      if (!request.new_room_user_id->ends_with(":" + ctx.services.config.server_name)) {
        throw MatrixError(ErrCode::invalid_param, "new_room_user_id must be a local user");
      }
      if (!tx.accounts().get(*request.new_room_user_id)) {
        throw MatrixError(ErrCode::not_found, "User not found");
      }
    }
  });
  return shutdown_room(ctx.services, room_id, request);
}

/// DELETE /_synapse/admin/v1/rooms/{roomId}: the older form, answering with the outcome.
ApiResponse delete_room_v1(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  return json_response(shutdown_json(run_shutdown(ctx, room_id)));
}

ApiResponse delete_room(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  const auto outcome = run_shutdown(ctx, room_id);
  const auto id = record_task(
      "delete", room_id,
      {{"room_id", room_id}, {"status", "complete"}, {"error", nullptr}, {"shutdown_room", shutdown_json(outcome)},
       {"purged_events", outcome.purged_events}});
  return json_response({{"delete_id", id}});
}

ApiResponse room_delete_status(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  auto results = room_task_statuses("delete", room_id);
  if (results.empty()) {
    throw MatrixError(ErrCode::not_found, "No delete task for room");
  }
  return json_response({{"results", results}});
}

ApiResponse delete_status(RequestContext& ctx) {
  require_admin(ctx);
  return json_response(task_status("delete", ctx.path_params.at(0)));
}

constexpr std::array<Operation, 4> operations{{
    admin_operation("DELETE", "/_synapse/admin/v1/rooms/{roomId}", "synapse.admin.deleteRoomV1", &delete_room_v1),
    admin_operation("DELETE", "/_synapse/admin/v2/rooms/{roomId}", "synapse.admin.deleteRoom", &delete_room),
    admin_operation("GET", "/_synapse/admin/v2/rooms/{roomId}/delete_status", "synapse.admin.roomDeleteStatus",
                    &room_delete_status),
    admin_operation("GET", "/_synapse/admin/v2/rooms/delete_status/{deleteId}", "synapse.admin.deleteStatus",
                    &delete_status),
}};

}  // namespace

std::span<const Operation> room_delete_operations() { return operations; }

}  // namespace ranvier::api::admin
