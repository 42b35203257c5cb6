#pragma once
// The Synapse-compatible admin API's table entries, one group per file in api/admin/.
// api/extensions.cpp routes them all as extensions (not counted as spec operations).

#include "api/operation.hpp"

#include <span>

namespace ranvier::api::admin {

/// GET/POST /_synapse/admin/v1/register (shared-secret registration).
std::span<const Operation> shared_secret_operations();
std::span<const Operation> user_operations();
std::span<const Operation> registration_token_operations();
std::span<const Operation> room_operations();
std::span<const Operation> purge_operations();
std::span<const Operation> room_delete_operations();
std::span<const Operation> server_version_operations();
/// PUT /_synapse/admin/v1/suspend/{userId}, GET /_synapse/admin/v1/whois/{userId}.
std::span<const Operation> moderation_operations();

}  // namespace ranvier::api::admin
