#include "api/errors.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace ranvier::api {
namespace {

struct ErrorInfo {
  ErrCode code;
  std::string_view errcode;
  int status;
};

// The single table of errcodes and statuses.
constexpr std::array<ErrorInfo, 47> table{{
    {ErrCode::bad_json, "M_BAD_JSON", 400},
    {ErrCode::not_json, "M_NOT_JSON", 400},
    {ErrCode::not_found, "M_NOT_FOUND", 404},
    {ErrCode::unrecognized, "M_UNRECOGNIZED", 404},
    {ErrCode::method_not_allowed, "M_UNRECOGNIZED", 405},
    {ErrCode::missing_token, "M_MISSING_TOKEN", 401},
    {ErrCode::unknown_token, "M_UNKNOWN_TOKEN", 401},
    {ErrCode::forbidden, "M_FORBIDDEN", 403},
    {ErrCode::limit_exceeded, "M_LIMIT_EXCEEDED", 429},
    {ErrCode::too_large, "M_TOO_LARGE", 413},
    {ErrCode::invalid_param, "M_INVALID_PARAM", 400},
    {ErrCode::missing_param, "M_MISSING_PARAM", 400},
    {ErrCode::user_in_use, "M_USER_IN_USE", 400},
    {ErrCode::invalid_username, "M_INVALID_USERNAME", 400},
    {ErrCode::exclusive, "M_EXCLUSIVE", 400},
    {ErrCode::user_deactivated, "M_USER_DEACTIVATED", 403},
    {ErrCode::guest_access_forbidden, "M_GUEST_ACCESS_FORBIDDEN", 403},
    {ErrCode::unknown, "M_UNKNOWN", 400},
    {ErrCode::internal, "M_UNKNOWN", 500},
    {ErrCode::unsupported_room_version, "M_UNSUPPORTED_ROOM_VERSION", 400},
    {ErrCode::incompatible_room_version, "M_INCOMPATIBLE_ROOM_VERSION", 400},
    {ErrCode::room_in_use, "M_ROOM_IN_USE", 400},
    {ErrCode::bad_state, "M_BAD_STATE", 400},
    {ErrCode::unauthorized, "M_UNAUTHORIZED", 401},
    {ErrCode::resource_limit_exceeded, "M_RESOURCE_LIMIT_EXCEEDED", 403},
    {ErrCode::server_not_trusted, "M_SERVER_NOT_TRUSTED", 403},
    {ErrCode::threepid_denied, "M_THREEPID_DENIED", 403},
    {ErrCode::weak_password, "M_WEAK_PASSWORD", 400},
    {ErrCode::invalid_room_state, "M_INVALID_ROOM_STATE", 400},
    {ErrCode::profile_too_large, "M_PROFILE_TOO_LARGE", 400},
    {ErrCode::server_owned_account_data, "M_BAD_JSON", 405},
    {ErrCode::key_too_large, "M_KEY_TOO_LARGE", 400},
    {ErrCode::bad_request, "M_UNRECOGNIZED", 400},
    {ErrCode::headers_too_large, "M_TOO_LARGE", 431},
    {ErrCode::too_many_connections, "M_LIMIT_EXCEEDED", 503},
    {ErrCode::conflict, "M_UNKNOWN", 409},
    {ErrCode::bad_alias, "M_BAD_ALIAS", 400},
    {ErrCode::cannot_overwrite_media, "M_CANNOT_OVERWRITE_MEDIA", 409},
    {ErrCode::not_yet_uploaded, "M_NOT_YET_UPLOADED", 504},
    {ErrCode::remote_too_large, "M_TOO_LARGE", 502},
    {ErrCode::bad_gateway, "M_UNKNOWN", 502},
    {ErrCode::url_not_set, "M_URL_NOT_SET", 400},
    {ErrCode::connection_failed, "M_CONNECTION_FAILED", 502},
    {ErrCode::connection_timeout, "M_CONNECTION_TIMEOUT", 504},
    {ErrCode::bad_status, "M_BAD_STATUS", 502},
    {ErrCode::user_locked, "M_USER_LOCKED", 401},
    {ErrCode::user_suspended, "M_USER_SUSPENDED", 403},
}};

const ErrorInfo& info(ErrCode code) {
  for (const auto& e : table) {
    if (e.code == code) {
      return e;
    }
  }
  return table[18];  // internal: unreachable while the table covers every enumerator
}

}  // namespace

std::string_view errcode_string(ErrCode code) { return info(code).errcode; }
int errcode_status(ErrCode code) { return info(code).status; }

MatrixError::MatrixError(ErrCode code, std::string message)
    : std::runtime_error(std::move(message)), code_(code) {}

MatrixError::MatrixError(ErrCode code, std::string message, const nlohmann::json& extra)
    : std::runtime_error(std::move(message)), code_(code), extra_(std::make_unique<nlohmann::json>(extra)) {}

MatrixError::MatrixError(const MatrixError& other)
    : std::runtime_error(other), code_(other.code_),
      extra_(other.extra_ ? std::make_unique<nlohmann::json>(*other.extra_) : nullptr) {}

MatrixError& MatrixError::operator=(const MatrixError& other) {
  std::runtime_error::operator=(other);
  code_ = other.code_;
  extra_ = other.extra_ ? std::make_unique<nlohmann::json>(*other.extra_) : nullptr;
  return *this;
}

MatrixError::~MatrixError() = default;

std::string MatrixError::body() const {
  nlohmann::json j = extra_ && extra_->is_object() ? *extra_ : nlohmann::json::object();
  j["errcode"] = errcode_string(code_);
  j["error"] = what();
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ranvier::api
