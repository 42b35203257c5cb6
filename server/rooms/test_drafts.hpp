#pragma once
// Event drafts the room tests send again and again.

#include "rooms/event_pipeline.hpp"

#include <string>

namespace ranvier::rooms::testing {

/// An m.room.member draft: `sender` sets `target`'s membership.
inline EventDraft member(const std::string& sender, const std::string& target, const std::string& membership) {
  return {.type = "m.room.member", .sender = sender, .state_key = target, .content = {{"membership", membership}}};
}

/// An m.room.message text draft.
inline EventDraft message(const std::string& sender, const std::string& body) {
  return {.type = "m.room.message", .sender = sender, .content = {{"msgtype", "m.text"}, {"body", body}}};
}

}  // namespace ranvier::rooms::testing
