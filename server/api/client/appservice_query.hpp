#pragma once
// Looking up this server's aliases with the application services' help (application service
// API, "Querying"): an unknown alias in a service's namespace is asked of the service, which
// may create the room before it answers.

#include "api/context.hpp"
#include "storage/rooms.hpp"

#include <optional>
#include <string>

namespace ranvier::api {

/// The stored alias; when unknown, this server's and claimed by a service, asked of it first.
std::optional<storage::RoomAlias> find_local_alias(RequestContext& ctx, const std::string& alias);

/// For a user of this server that does not exist: asks the services whose user namespace
/// covers it; true if one answered 200 (it has registered the user since).
bool ask_appservices_about_user(RequestContext& ctx, const std::string& user_id);

}  // namespace ranvier::api
