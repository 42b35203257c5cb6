#pragma once
// User-interactive authentication (spec: client-server API, "User-Interactive Authentication
// API"). Every flow Ranvier offers has a single stage, which the request carrying it completes,
// so no session state is kept: the session ID only lets clients correlate their retries.

#include "api/http_types.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string_view>

namespace ranvier::api {

struct RequestContext;

/// The 401 response that offers the one-stage flow `stage`, echoing the client's session ID
/// when it sent one. With `errcode`/`error` set it also says why the last attempt failed.
ApiResponse uia_challenge(std::string_view stage, const std::optional<nlohmann::json>& auth,
                          std::string_view errcode = {}, std::string_view error = {});

/// The `type` of a UIA `auth` object, or empty when there is none.
std::string_view uia_stage_of(const std::optional<nlohmann::json>& auth);

/// For endpoints that need the caller's password again (password change, deactivation):
/// nullopt when `auth` is an m.login.password stage with the authenticated user's correct
/// password, otherwise the 401 response to send.
std::optional<ApiResponse> require_password_stage(RequestContext& ctx, const std::optional<nlohmann::json>& auth);

}  // namespace ranvier::api
