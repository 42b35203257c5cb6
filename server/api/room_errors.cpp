#include "api/room_errors.hpp"

#include "rooms/errors.hpp"

namespace ranvier::api {

MatrixError to_matrix_error(const rooms::RoomError& error) {
  using rooms::RoomErrorKind;
  switch (error.kind()) {
    case RoomErrorKind::not_found: return MatrixError(ErrCode::not_found, error.what());
    case RoomErrorKind::forbidden: return MatrixError(ErrCode::forbidden, error.what());
    case RoomErrorKind::bad_event: return MatrixError(ErrCode::bad_json, error.what());
    case RoomErrorKind::too_large: return MatrixError(ErrCode::too_large, error.what());
    case RoomErrorKind::unsupported_version: return MatrixError(ErrCode::unsupported_room_version, error.what());
    case RoomErrorKind::room_in_use: return MatrixError(ErrCode::room_in_use, error.what());
    case RoomErrorKind::invalid_param: return MatrixError(ErrCode::invalid_param, error.what());
    case RoomErrorKind::invalid_room_state: return MatrixError(ErrCode::invalid_room_state, error.what());
  }
  return MatrixError(ErrCode::internal, error.what());
}

}  // namespace ranvier::api
