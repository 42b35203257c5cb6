#pragma once
// The redaction algorithms (spec: content/rooms/fragments/v1-, v6-, v9-, v11-redactions.md;
// v8 adds `allow` to join rules). Redaction decides what an event's signatures and reference
// hash cover, so the same rules drive both the JSON-producing redact() and the allocation-free
// encoder used on the hot path.

#include <string>

#include <nlohmann/json.hpp>

#include "core/room_version.hpp"

namespace ranvier::core {

/// The redacted form of `event` (an object) under the room version's algorithm. Top-level keys
/// outside the protected list (including `unsigned`) are dropped and `content` is filtered.
nlohmann::json redact(const nlohmann::json& event, const RoomVersion& version);

/// Appends the canonical JSON of redact(event) without `signatures` (and `unsigned`): the bytes
/// an event's signatures cover and its reference hash is taken over.
void append_redacted_signable(const nlohmann::json& event, const RoomVersion& version,
                              std::string& out);

/// append_redacted_signable into a fresh string.
std::string redacted_signable_json(const nlohmann::json& event, const RoomVersion& version);

}  // namespace ranvier::core
