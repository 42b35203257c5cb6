#pragma once
// Federation endpoints about this server's users (devices, keys): the user IDs asked about
// must be well-formed and local (the spec: "Must be a user local to the receiving homeserver").

#include "api/context.hpp"

#include <string>

namespace ranvier::api::server_server {

/// M_INVALID_PARAM unless `user_id` is a valid user ID of this server.
void check_local_user(const RequestContext& ctx, const std::string& user_id);

}  // namespace ranvier::api::server_server
