// GET /rooms/{roomId}/timestamp_to_event (client-server API, "Room event by timestamp",
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1roomsroomidtimestamp_to_event):
// the room's event closest to a point in time, searching one way from it.

#include "api/client/room_reading.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

namespace ranvier::api::client_server {

ApiResponse getEventByTimestamp(RequestContext& ctx, const GetEventByTimestampRequest& req) {
  // The generated parser has checked that `dir` is f or b.
  const bool forward = req.dir == "f";
  const auto& user = ctx.principal->user_id;

  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    RoomReader::open(tx, req.room_id, user);
    // Only this server's copy of the room is searched: there is no federation to ask yet.
    auto event = tx.events().event_near_ts(req.room_id, req.ts,
                                           forward ? storage::Direction::forward : storage::Direction::backward);
    if (!event) {
      throw MatrixError(ErrCode::not_found, std::string("No event found ") + (forward ? "at or after " : "at or before ") +
                                                std::to_string(req.ts));
    }
    return nlohmann::json{{"event_id", event->event_id}, {"origin_server_ts", event->origin_server_ts}};
  });
  return json_response(body);
}

}  // namespace ranvier::api::client_server
