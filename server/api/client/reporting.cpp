// POST /rooms/{roomId}/report, /rooms/{roomId}/report/{eventId} and /users/{userId}/report
// (client-server API, "Reporting content",
// https://spec.matrix.org/latest/client-server-api/#reporting-content): reports are stored for
// the server's administrators. An event report needs the reporter to be joined and the event to
// be one of the room's that they may see; a room report only needs the room to exist here; a
// user report needs a local user to exist (other servers' users cannot be checked).

#include "api/client/room_reading.hpp"
#include "api/clock.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"

namespace ranvier::api::client_server {
namespace {

/// The optional legacy `score` (-100 most offensive … 0 inoffensive) older clients still send.
std::optional<std::int64_t> score_of(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("score")) {
    return std::nullopt;
  }
  const auto& score = body["score"];
  if (!score.is_number_integer() || score.get<std::int64_t>() < -100 || score.get<std::int64_t>() > 0) {
    throw MatrixError(ErrCode::invalid_param, "score must be an integer from -100 to 0");
  }
  return score.get<std::int64_t>();
}

}  // namespace

ApiResponse reportEvent(RequestContext& ctx, const ReportEventRequest& req) {
  const auto score = score_of(req.body);
  const auto& user = ctx.principal->user_id;
  ctx.services.database.write([&](storage::WriteTx& tx) {
    auto member = tx.rooms().get(req.room_id) ? tx.rooms().membership(req.room_id, user) : std::nullopt;
    if (!member || member->membership != storage::Membership::join) {
      throw MatrixError(ErrCode::not_found, "Event not found, or you are not joined to the room");
    }
    auto reader = RoomReader::open(tx, req.room_id, user);
    const auto event = reader.visible_event(tx, req.room_id, req.event_id);
    if (event.redacted_by) {
      throw MatrixError(ErrCode::not_found, "The event has been redacted");
    }
    tx.reports().add({.room_id = req.room_id,
                      .event_id = req.event_id,
                      .user_id = user,
                      .reason = req.reason,
                      .score = score,
                      .received_ts = now_ms()});
  });
  return json_response(nlohmann::json::object());
}

ApiResponse reportRoom(RequestContext& ctx, const ReportRoomRequest& req) {
  ctx.services.database.write([&](storage::WriteTx& tx) {
    if (!tx.rooms().get(req.room_id)) {
      throw MatrixError(ErrCode::not_found, "Room not found");
    }
    tx.reports().add({.room_id = req.room_id,
                      .event_id = "",
                      .user_id = ctx.principal->user_id,
                      .reason = req.reason,
                      .score = std::nullopt,
                      .received_ts = now_ms()});
  });
  return json_response(nlohmann::json::object());
}

ApiResponse reportUser(RequestContext& ctx, const ReportUserRequest& req) {
  const auto target = checked_user_id(req.user_id);
  const bool local = target.ends_with(":" + ctx.services.config.server_name);
  ctx.services.database.write([&](storage::WriteTx& tx) {
    if (local && !tx.accounts().get(target)) {
      throw MatrixError(ErrCode::not_found, "User not found");
    }
    tx.reports().add({.room_id = "",
                      .event_id = "",
                      .user_id = ctx.principal->user_id,
                      .reason = req.reason,
                      .score = std::nullopt,
                      .received_ts = now_ms(),
                      .target_user_id = target});
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
