#pragma once
// The authorization rules for room versions 1–12 (spec: content/rooms/fragments/v1-auth-rules.md,
// v3-auth-rules.md, v8-auth-rules.md and the inline rules of rooms/v6, v7, v10, v11, v12).
// Pure functions: state and events come in through callbacks, nothing is cached between calls.

#include <nlohmann/json.hpp>

#include "core/auth/event_store.hpp"
#include "core/auth/rules.hpp"
#include "core/room_version.hpp"

namespace ranvier::auth {

/// The rules that depend on room state: the create-event rule (1), then everything from the
/// `m.federate` rule on, checked against `state` (the state before the event, current state, or
/// the partial state of state resolution). The create event is read from `state`.
AuthDecision check_against_state(const core::RoomVersion& version, const nlohmann::json& event,
                                 const AuthState& state, const SignatureChecks& signatures);
/// As above, for an event already read (state resolution reads each event once).
AuthDecision check_against_state(const core::RoomVersion& version, const EventFields& event,
                                 const AuthState& state, const SignatureChecks& signatures);

/// The rules on the event's own `auth_events` (v1–v11 rule 2; v12 rules 2 and 3): duplicates,
/// entries the selection algorithm would not pick, rejected or unknown entries, a missing create
/// event (v1–v11), the room ID naming an accepted create event and auth events from another
/// room (v12). The create event itself passes trivially.
AuthDecision check_auth_events(const core::RoomVersion& version, const nlohmann::json& event,
                               const EventStore& store);

/// The full check performed on receipt of a PDU: `check_auth_events`, then
/// `check_against_state` with the state formed by the event's auth events.
AuthDecision authorize_by_auth_events(const core::RoomVersion& version, const nlohmann::json& event,
                                      const EventStore& store, const SignatureChecks& signatures);

/// The event ID a v12 room ID stands for (`!x` → `$x`); empty if `room_id` has no `!` sigil.
std::string create_event_id_for_room(std::string_view room_id);

}  // namespace ranvier::auth
