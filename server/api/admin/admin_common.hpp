#pragma once
// What the Synapse-compatible admin API handlers share: the admin check, path and query
// parameters with Synapse's errors, and the table entries that route them as extensions.

#include "api/context.hpp"
#include "api/operation.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::api::admin {

/// Every admin endpoint: M_FORBIDDEN (403) unless the caller is a server admin.
void require_admin(const RequestContext& ctx);

/// Path parameter `index` as a user ID of this server: M_INVALID_PARAM (400) when malformed or
/// another server's (Synapse: "Can only look up local users").
std::string local_user_param(const RequestContext& ctx, std::size_t index);

/// Path parameter `index` as a room ID: M_INVALID_PARAM when it is not one.
std::string room_id_param(const RequestContext& ctx, std::size_t index);

/// A JSON object body; M_NOT_JSON / M_BAD_JSON (400) otherwise. An empty body is `{}`.
nlohmann::json object_body(const RequestContext& ctx);

/// Reads `body[key]` if present: nullopt when absent, M_INVALID_PARAM when of another type.
std::optional<bool> optional_bool(const nlohmann::json& body, const char* key);
std::optional<std::string> optional_string(const nlohmann::json& body, const char* key);

/// A query parameter; nullopt when absent.
std::optional<std::string> query_value(const RequestContext& ctx, std::string_view name);
/// A non-negative integer query parameter; M_INVALID_PARAM when malformed.
std::int64_t query_count(const RequestContext& ctx, std::string_view name, std::int64_t fallback);
/// A `true`/`false` query parameter; M_INVALID_PARAM otherwise.
bool query_bool(const RequestContext& ctx, std::string_view name, bool fallback);

/// A table entry for an admin endpoint: client listener, access token required, not counted
/// as a spec operation.
constexpr Operation admin_operation(std::string_view method, std::string_view path, std::string_view id,
                                    Invoker invoke) {
  return Operation{ApiFamily::client_server, method, path, id, AuthRequirement::required, AuthScheme::access_token,
                   false, false, "(Synapse admin API)", invoke, +[] { return true; }};
}

}  // namespace ranvier::api::admin
