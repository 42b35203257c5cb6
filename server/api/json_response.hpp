#pragma once
// Building JSON responses in handlers.

#include "api/http_types.hpp"

#include <nlohmann/json_fwd.hpp>

namespace ranvier::api {

/// A response whose body is `body` serialized (UTF-8, not escaped to ASCII).
ApiResponse json_response(const nlohmann::json& body, int status = 200);

}  // namespace ranvier::api
