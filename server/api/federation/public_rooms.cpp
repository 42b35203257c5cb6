// GET and POST /_matrix/federation/v1/publicRooms (server-server API, "Public Room Directory"):
// https://spec.matrix.org/latest/server-server-api/#public-room-directory
// Other servers see the same directory as this server's clients: the answer is the
// client-server listing of this server's published rooms.

#include "api/federation/federation_rooms.hpp"
#include "api/handlers_client_server.hpp"
#include "api/handlers_server_server.hpp"

namespace ranvier::api::server_server {

ApiResponse getPublicRooms(RequestContext& ctx, const GetPublicRoomsRequest& req) {
  origin_of(ctx);
  client_server::GetPublicRoomsRequest local;
  local.limit = req.limit;
  local.since = req.since;
  return client_server::getPublicRooms(ctx, local);
}

ApiResponse queryPublicRooms(RequestContext& ctx, const QueryPublicRoomsRequest& req) {
  origin_of(ctx);
  return client_server::queryPublicRooms(
      ctx, client_server::QueryPublicRoomsRequest{.filter = req.filter,
                                                  .include_all_networks = req.include_all_networks,
                                                  .limit = req.limit,
                                                  .since = req.since,
                                                  .third_party_instance_id = req.third_party_instance_id,
                                                  .body = req.body});
}

}  // namespace ranvier::api::server_server
