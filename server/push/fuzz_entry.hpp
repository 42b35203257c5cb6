#pragma once
// The body of the push-rules fuzzer, callable from unit tests so the corpus and every crash
// repro are replayed in the ordinary test run.

#include <cstdint>
#include <span>

namespace ranvier::push::testing {

/// Input: a JSON object `{"rules": <ruleset>, "event": <event>, "members": n, "power": n,
/// "name": s, "put": {"kind": s, "rule_id": s, "body": <rule>, "before": s, "after": s}}`
/// (every part optional, anything else ignored). Checks that nothing throws or crashes, that
/// evaluation is deterministic, and that a ruleset survives its JSON round trip; aborts otherwise.
void fuzz_push_rules(std::span<const std::uint8_t> data);

}  // namespace ranvier::push::testing
