#pragma once
// The bodies of the auth and state-resolution fuzzers, shared by fuzz/event_auth.cpp,
// fuzz/state_res.cpp and the unit test that replays their corpora and crash repros.
// Each entry checks its invariants and calls std::abort() when one fails.

#include <cstdint>
#include <span>

namespace ranvier::state_res::testing {

/// Room state + event → auth decision. Input is either a JSON array of PDUs (the last one is
/// checked against the state the others form, room version from the create event) or bytes
/// that drive the room generator and then pick the event's fields. Invariants: no crash, the
/// same answer twice, and the deciding rule exists in the room version.
void fuzz_event_auth(std::span<const std::uint8_t> input);

/// Bytes (or a JSON array of PDUs) → a DAG of events with forks, resolved with state
/// resolution v1, v2 and v2.1. Invariants: no crash, deterministic, independent of the order
/// of the state sets, every resolved event comes from the input.
void fuzz_state_res(std::span<const std::uint8_t> input);

}  // namespace ranvier::state_res::testing
