#pragma once
// Auth events selection (server-server API, "Auth events selection").

#include <compare>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/auth/event_store.hpp"
#include "core/room_version.hpp"

namespace ranvier::auth {

/// A state key: the pair (event type, state_key).
struct StateKey {
  std::string type;
  std::string state_key;

  auto operator<=>(const StateKey&) const = default;
};

/// (type, state_key) as views, for lookups that should not build strings.
using StateKeyView = std::pair<std::string_view, std::string_view>;

/// Orders StateKeys the same way as their `<=>`, and compares them with StateKeyViews, so
/// maps keyed by StateKey can be searched without allocating.
struct StateKeyLess {
  using is_transparent = void;
  static StateKeyView view(const StateKey& key) { return {key.type, key.state_key}; }
  static StateKeyView view(const StateKeyView& key) { return key; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return view(a) < view(b);
  }
};

/// The state keys whose current events an event must cite in `auth_events`: the create event
/// (not in v12, where the room ID stands for it), the power levels, the sender's membership, and
/// for membership events the target's membership, the join rules (join, invite, knock), the
/// third-party invite named by the token, and the authorising user's membership (v8+).
/// The create event itself needs none.
std::vector<StateKey> auth_types_for_event(const core::RoomVersion& version, const nlohmann::json& event);

/// The `auth_events` a new event should carry, given the current room state: the IDs of the
/// current events for `auth_types_for_event`, in that order, skipping keys with no event.
std::vector<std::string> select_auth_events(const core::RoomVersion& version, const nlohmann::json& event,
                                            const AuthState& state);

}  // namespace ranvier::auth
