#include "api/json_response.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api {

ApiResponse json_response(const nlohmann::json& body, int status) {
  ApiResponse r;
  r.status = status;
  // replace: a stray invalid UTF-8 byte from old data must not turn a response into a 500.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace ranvier::api
