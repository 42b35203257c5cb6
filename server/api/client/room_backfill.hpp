#pragma once
// History from other servers (server-server API, "Backfilling and retrieving missing events"):
// a room joined over federation starts, here, at the join. When a client pages back past the
// earliest events held, the room's backward extremities (rooms::EventPipeline::receive_history)
// are asked of a server in the room with GET /backfill, and what comes back is checked and
// stored as history, oldest first: the earliest event of a batch against the state before it
// from that server (GET /state), events lacking auth events after fetching their auth chain
// (GET /event_auth).

#include "api/context.hpp"

#include <cstddef>
#include <string>

namespace ranvier::api::client_server {

/// Fetches up to `limit` events (at most 100) of the room's history before what this server
/// holds from the first server in the room that answers, and stores them. True when something
/// new was stored; false when there is nothing to ask for, no one to ask, or nothing came.
bool backfill_room(RequestContext& ctx, const std::string& room_id, std::size_t limit);

}  // namespace ranvier::api::client_server
