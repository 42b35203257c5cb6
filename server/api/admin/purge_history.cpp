// Synapse's purge history admin API (docs/admin_api/purge_history_api.md in
// element-hq/synapse): deletes a room's message events before an event or a time. State
// events stay (the room's state is built from them), so do the forward extremities (what new
// events build on); events of local senders go only with `delete_local_events`. Admin only.

#include "api/admin/admin_actions.hpp"
#include "api/admin/admin_common.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/errors.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "storage/database.hpp"

#include <array>
#include <limits>

namespace ranvier::api::admin {
namespace {

/// Where the purge stops: the given event's depth (events at that depth stay too, as in
/// Synapse), else the depth of the first event at or after the time, else after everything
/// (the frontier is kept anyway).
storage::TopologicalPosition purge_point(RequestContext& ctx, const std::string& room_id,
                                         const std::optional<std::string>& event_id, const nlohmann::json& body) {
  std::optional<std::int64_t> up_to_ts;
  if (const auto it = body.find("purge_up_to_ts"); it != body.end()) {
    if (!it->is_number_integer()) {
      throw MatrixError(ErrCode::invalid_param, "purge_up_to_ts must be an integer");
    }
    up_to_ts = it->get<std::int64_t>();
  }
  if (!event_id && !up_to_ts) {
    throw MatrixError(ErrCode::missing_param, "must specify purge_up_to_ts, purge_up_to_event_id or event_id");
  }
  // Below every stream position: of the point's depth, nothing is purged.
  constexpr auto before_all = std::numeric_limits<std::int64_t>::min();
  return ctx.services.database.read([&](storage::ReadTx& tx) -> storage::TopologicalPosition {
    if (!tx.rooms().get(room_id)) {
      throw MatrixError(ErrCode::not_found, "Room not found");
    }
    if (event_id) {
      const auto event = tx.events().get(*event_id);
      if (!event) {
        throw MatrixError(ErrCode::not_found, "Event not found");
      }
      if (event->room_id != room_id) {
        throw MatrixError(ErrCode::invalid_param, "Event is for the wrong room");
      }
      return {event->depth, before_all};
    }
    if (const auto first_after = tx.events().event_near_ts(room_id, *up_to_ts, storage::Direction::forward)) {
      return {first_after->depth, before_all};
    }
    constexpr auto end = std::numeric_limits<std::int64_t>::max();
    return {end, end};
  });
}

ApiResponse purge(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  const auto body = object_body(ctx);
  const auto event_id =
      ctx.path_params.size() > 1 ? std::optional(ctx.path_params[1]) : optional_string(body, "purge_up_to_event_id");
  const bool delete_local = optional_bool(body, "delete_local_events").value_or(false);
  const auto point = purge_point(ctx, room_id, event_id, body);
  const auto deleted = purge_history(ctx.services, room_id, point, delete_local);
  const auto id = record_task("purge", room_id, {{"status", "complete"}, {"deleted_events", deleted}});
  return json_response({{"purge_id", id}});
}

ApiResponse purge_status(RequestContext& ctx) {
  require_admin(ctx);
  return json_response(task_status("purge", ctx.path_params.at(0)));
}

constexpr std::array<Operation, 3> operations{{
    admin_operation("POST", "/_synapse/admin/v1/purge_history/{roomId}", "synapse.admin.purgeHistory", &purge),
    admin_operation("POST", "/_synapse/admin/v1/purge_history/{roomId}/{eventId}", "synapse.admin.purgeHistoryTo",
                    &purge),
    admin_operation("GET", "/_synapse/admin/v1/purge_history_status/{purgeId}", "synapse.admin.purgeHistoryStatus",
                    &purge_status),
}};

}  // namespace

std::span<const Operation> purge_operations() { return operations; }

}  // namespace ranvier::api::admin
