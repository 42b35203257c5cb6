#pragma once
// Why the room layer refused a request. The API layer maps each kind to the spec's errcode.

#include <stdexcept>
#include <string>

namespace ranvier::rooms {

enum class RoomErrorKind {
  not_found,             ///< no such room (or event) here
  forbidden,             ///< the event failed authorization, or the user may not do this
  bad_event,             ///< the built event is malformed for its room version
  too_large,             ///< the event is over the PDU size limit
  unsupported_version,   ///< the room version is not one this server knows
  room_in_use,           ///< the requested alias is taken
  invalid_param,         ///< a request field has a value the room layer cannot use
  invalid_room_state,    ///< createRoom: the state the request implies fails authorization
};

class RoomError : public std::runtime_error {
 public:
  RoomError(RoomErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  RoomErrorKind kind() const { return kind_; }

 private:
  RoomErrorKind kind_;
};

}  // namespace ranvier::rooms
