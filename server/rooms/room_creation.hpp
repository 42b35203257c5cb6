#pragma once
// POST /createRoom as room events (client-server API, "Creation"): the create event, the
// creator's join, power levels, alias, preset state, initial_state, name and topic, invites —
// in the spec's order, each through the event pipeline, all in one transaction.

#include "rooms/event_pipeline.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ranvier::rooms {

/// The parts of a createRoom request the room layer uses, already type-checked.
struct RoomCreation {
  std::string creator;
  /// The creator's member event content (membership, displayname, avatar_url).
  nlohmann::json creator_member_content;
  std::string room_version;
  /// "private_chat", "public_chat" or "trusted_private_chat"; empty: from `is_public`.
  std::string preset;
  bool is_public = false;
  nlohmann::json creation_content = nlohmann::json::object();
  std::optional<nlohmann::json> power_level_content_override{};
  /// The full alias (`#name:server`) to create and publish, if asked for.
  std::optional<std::string> alias{};
  /// Objects with `type`, optional `state_key` and `content`.
  nlohmann::json initial_state = nlohmann::json::array();
  std::optional<std::string> name{};
  std::optional<std::string> topic{};
  /// Everyone to invite; only this server's users are invited here (the caller invites the
  /// others over federation), but all count for the preset's power levels.
  std::vector<std::string> invite{};
  bool is_direct = false;
};

/// Creates the room; returns its ID. Throws RoomError: unsupported_version, room_in_use (alias
/// taken), invalid_param (bad preset or initial_state entry), invalid_room_state (an implied
/// event fails authorization, e.g. an override that takes the creator's power away).
std::string create_room(storage::WriteTx& tx, const EventPipeline& pipeline, const RoomCreation& request);

}  // namespace ranvier::rooms
