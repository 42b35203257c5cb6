#include "rooms/room_creation.hpp"

#include "core/identifiers.hpp"
#include "core/room_version.hpp"
#include "rooms/errors.hpp"

namespace ranvier::rooms {
namespace {

struct Preset {
  std::string_view join_rule;
  std::string_view history_visibility;
  bool guests_can_join;
  bool invitees_are_admins;
};

Preset preset_named(std::string_view name) {
  if (name == "private_chat") {
    return {"invite", "shared", true, false};
  }
  if (name == "trusted_private_chat") {
    return {"invite", "shared", true, true};
  }
  if (name == "public_chat") {
    return {"public", "shared", false, false};
  }
  throw RoomError(RoomErrorKind::invalid_param, "Unknown preset " + std::string(name));
}

/// The default power levels (Synapse's, which clients expect): the creator at 100 (v1–v11; in
/// v12 creators are above every level and must not be listed), moderators at 50 for most
/// state, invites open to everyone in private rooms.
nlohmann::json default_power_levels(const core::RoomVersion& version, const RoomCreation& request,
                                    const Preset& preset) {
  nlohmann::json users = nlohmann::json::object();
  if (!version.privileged_creators) {
    users[request.creator] = 100;
    if (preset.invitees_are_admins) {
      for (const auto& invitee : request.invite) {
        users[invitee] = 100;
      }
    }
  }
  nlohmann::json events = {{"m.room.name", 50},          {"m.room.power_levels", 100},
                           {"m.room.history_visibility", 100}, {"m.room.canonical_alias", 50},
                           {"m.room.avatar", 50},        {"m.room.tombstone", 100},
                           {"m.room.server_acl", 100},   {"m.room.encryption", 100}};
  if (version.privileged_creators) {
    // v12: tombstones must need more than state_default.
    events["m.room.tombstone"] = 150;
  }
  return {{"users", users},       {"users_default", 0}, {"events", events},
          {"events_default", 0},  {"state_default", 50}, {"ban", 50},
          {"kick", 50},           {"redact", 50},        {"invite", preset.join_rule == "public" ? 50 : 0}};
}

EventDraft state_draft(const std::string& sender, std::string type, std::string state_key, nlohmann::json content) {
  return EventDraft{.type = std::move(type), .sender = sender, .state_key = std::move(state_key),
                    .content = std::move(content)};
}

/// Sends one implied event; an authorization failure means the request implies a state the
/// creator cannot reach.
void send_implied(storage::WriteTx& tx, const EventPipeline& pipeline, const std::string& room_id,
                  const EventDraft& draft) {
  try {
    pipeline.send(tx, room_id, draft);
  } catch (const RoomError& e) {
    if (e.kind() == RoomErrorKind::forbidden) {
      throw RoomError(RoomErrorKind::invalid_room_state,
                      "Cannot send " + draft.type + " while creating the room: " + e.what());
    }
    throw;
  }
}

}  // namespace

std::string create_room(storage::WriteTx& tx, const EventPipeline& pipeline, const RoomCreation& request) {
  const auto* version = core::find_room_version(request.room_version);
  if (version == nullptr) {
    throw RoomError(RoomErrorKind::unsupported_version, "Unsupported room version " + request.room_version);
  }
  const Preset preset = preset_named(!request.preset.empty() ? request.preset
                                     : request.is_public    ? "public_chat"
                                                            : "private_chat");

  // 1. m.room.create
  nlohmann::json create_content = request.creation_content.is_object() ? request.creation_content
                                                                        : nlohmann::json::object();
  create_content["room_version"] = std::string(version->id);
  if (version->implicit_room_creator) {
    create_content.erase("creator");
  } else {
    create_content["creator"] = request.creator;
  }
  if (version->privileged_creators && preset.invitees_are_admins && !request.invite.empty()) {
    auto creators = create_content.value("additional_creators", nlohmann::json::array());
    if (!creators.is_array()) {
      throw RoomError(RoomErrorKind::invalid_param, "additional_creators must be an array");
    }
    for (const auto& invitee : request.invite) {
      if (std::find(creators.begin(), creators.end(), invitee) == creators.end()) {
        creators.push_back(invitee);
      }
    }
    create_content["additional_creators"] = creators;
  }
  auto create = pipeline.create(tx, state_draft(request.creator, "m.room.create", "", std::move(create_content)));
  const std::string room_id = create.room_id;

  // 2. the creator joins
  send_implied(tx, pipeline, room_id,
               state_draft(request.creator, "m.room.member", request.creator, request.creator_member_content));

  // 3. power levels, with the override merged over the defaults key by key
  auto power_levels = default_power_levels(*version, request, preset);
  if (request.power_level_content_override) {
    for (const auto& [key, value] : request.power_level_content_override->items()) {
      power_levels[key] = value;
    }
  }
  send_implied(tx, pipeline, room_id, state_draft(request.creator, "m.room.power_levels", "", power_levels));

  // 4. the alias
  if (request.alias) {
    if (tx.rooms().create_alias({*request.alias, room_id, request.creator}) == storage::CreateResult::exists) {
      throw RoomError(RoomErrorKind::room_in_use, "The alias " + *request.alias + " is taken");
    }
    send_implied(tx, pipeline, room_id,
                 state_draft(request.creator, "m.room.canonical_alias", "", {{"alias", *request.alias}}));
  }

  // 5. the preset's state
  send_implied(tx, pipeline, room_id,
               state_draft(request.creator, "m.room.join_rules", "", {{"join_rule", preset.join_rule}}));
  send_implied(tx, pipeline, room_id,
               state_draft(request.creator, "m.room.history_visibility", "",
                           {{"history_visibility", preset.history_visibility}}));
  if (preset.guests_can_join) {
    send_implied(tx, pipeline, room_id,
                 state_draft(request.creator, "m.room.guest_access", "", {{"guest_access", "can_join"}}));
  }

  // 6. initial_state, in order
  for (const auto& entry : request.initial_state) {
    if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string() ||
        !entry.contains("content") || !entry["content"].is_object() ||
        (entry.contains("state_key") && !entry["state_key"].is_string())) {
      throw RoomError(RoomErrorKind::invalid_param,
                      "initial_state entries need a string type, an object content and a string state_key");
    }
    send_implied(tx, pipeline, room_id,
                 state_draft(request.creator, entry["type"].get<std::string>(), entry.value("state_key", ""),
                             entry["content"]));
  }

  // 7. name and topic
  if (request.name) {
    send_implied(tx, pipeline, room_id, state_draft(request.creator, "m.room.name", "", {{"name", *request.name}}));
  }
  if (request.topic) {
    nlohmann::json topic = {{"topic", *request.topic},
                            {"m.topic", {{"m.text", nlohmann::json::array({{{"body", *request.topic}}})}}}};
    send_implied(tx, pipeline, room_id, state_draft(request.creator, "m.room.topic", "", topic));
  }

  // 8. invites (of this server's users: invites of other servers' users go out over federation
  // once the room exists, each countersigned by the invitee's server first)
  for (const auto& invitee : request.invite) {
    if (core::server_name_of(invitee) != pipeline.server_name()) {
      continue;
    }
    nlohmann::json content = {{"membership", "invite"}};
    if (request.is_direct) {
      content["is_direct"] = true;
    }
    send_implied(tx, pipeline, room_id, state_draft(request.creator, "m.room.member", invitee, content));
  }
  if (request.is_public) {
    tx.rooms().set_public(room_id, true);
  }
  return room_id;
}

}  // namespace ranvier::rooms
