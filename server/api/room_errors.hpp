#pragma once
// The room layer's refusals as the spec's errors.

#include "api/errors.hpp"

namespace ranvier::rooms {
class RoomError;
}

namespace ranvier::api {

/// The Matrix error for a RoomError (M_FORBIDDEN 403 for failed authorization, M_TOO_LARGE 413,
/// M_UNSUPPORTED_ROOM_VERSION 400, ...).
MatrixError to_matrix_error(const rooms::RoomError& error);

}  // namespace ranvier::api
