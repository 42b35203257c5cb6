#pragma once
// Asking application services about users and aliases this server does not know (application
// service API, "Querying"): a service that answers 200 has just created the user or room.

#include "appservice/calls.hpp"
#include "appservice/registry.hpp"

#include <string_view>

namespace ranvier::appservice {

/// Asks each service whose user namespace covers `user_id` (GET /_matrix/app/v1/users/{userId})
/// until one answers 200; true if one did.
bool query_user(const Registry& registry, const Caller& caller, std::string_view user_id);

/// Asks each service whose alias namespace covers `alias` (GET /_matrix/app/v1/rooms/{alias})
/// until one answers 200; true if one did.
bool query_alias(const Registry& registry, const Caller& caller, std::string_view alias);

}  // namespace ranvier::appservice
