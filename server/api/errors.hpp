#pragma once
// Matrix error responses. Each errcode is declared once, with its HTTP status, in errors.cpp.
// Spec: client-server API, "Standard error response" and "Common error codes".

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ranvier::api {

/// The errcodes Ranvier sends. Add new ones here and in errors.cpp's table only.
enum class ErrCode {
  bad_json,
  not_json,
  not_found,
  unrecognized,
  method_not_allowed,  ///< M_UNRECOGNIZED answered with 405 (known path, wrong method)
  missing_token,
  unknown_token,
  forbidden,
  limit_exceeded,
  too_large,
  invalid_param,
  missing_param,
  user_in_use,
  invalid_username,
  exclusive,
  user_deactivated,
  guest_access_forbidden,
  unknown,   ///< M_UNKNOWN for a request the server refuses (400), e.g. an unsupported login type
  internal,  ///< M_UNKNOWN with 500: something broke inside the server
  unsupported_room_version,
  incompatible_room_version,
  room_in_use,
  bad_state,
  unauthorized,
  resource_limit_exceeded,
  server_not_trusted,
  threepid_denied,
  weak_password,
  invalid_room_state,
  profile_too_large,
  server_owned_account_data,  ///< M_BAD_JSON with 405: m.fully_read and m.push_rules
  key_too_large,
  bad_request,         ///< malformed HTTP: M_UNRECOGNIZED with 400
  headers_too_large,   ///< request headers over the limit: M_TOO_LARGE with 431
  too_many_connections,  ///< connection limit reached: M_LIMIT_EXCEEDED with 503
  bad_alias,  ///< M_BAD_ALIAS: a canonical alias that does not exist or names another room
  conflict,  ///< M_UNKNOWN with 409: the resource exists already (a taken room alias)
  cannot_overwrite_media,  ///< M_CANNOT_OVERWRITE_MEDIA with 409: the mxc:// URI has content already
  not_yet_uploaded,        ///< M_NOT_YET_UPLOADED with 504: created media whose content is still missing
  remote_too_large,        ///< M_TOO_LARGE with 502: another server's media is over the limit
  bad_gateway,             ///< M_UNKNOWN with 502: another server did not give what was asked
  url_not_set,             ///< M_URL_NOT_SET with 400: the application service has no URL (ping)
  connection_failed,       ///< M_CONNECTION_FAILED with 502: the application service is unreachable
  connection_timeout,      ///< M_CONNECTION_TIMEOUT with 504: the application service did not answer in time
  bad_status,              ///< M_BAD_STATUS with 502: the application service answered with an error
  user_locked,             ///< M_USER_LOCKED with 401 (and soft_logout): an admin locked the account
  user_suspended,          ///< M_USER_SUSPENDED with 403: an admin suspended the account
};

/// The wire errcode ("M_BAD_JSON") of a code.
std::string_view errcode_string(ErrCode code);
/// The HTTP status the spec pairs with a code.
int errcode_status(ErrCode code);

/// Thrown by handlers (and the dispatcher) to end a request with a Matrix error.
/// `extra` adds fields beside errcode/error, e.g. retry_after_ms or UIA flows.
class MatrixError : public std::runtime_error {
 public:
  MatrixError(ErrCode code, std::string message);
  MatrixError(ErrCode code, std::string message, const nlohmann::json& extra);
  MatrixError(const MatrixError& other);
  MatrixError& operator=(const MatrixError& other);
  ~MatrixError() override;

  ErrCode code() const { return code_; }
  int status() const { return errcode_status(code_); }
  /// `{"errcode": ..., "error": ..., ...extra}` serialized.
  std::string body() const;

 private:
  ErrCode code_;
  std::unique_ptr<nlohmann::json> extra_;
};

}  // namespace ranvier::api
