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

}  // namespace ranvier::api
