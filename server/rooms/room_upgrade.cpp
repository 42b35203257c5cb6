#include "rooms/room_upgrade.hpp"

#include "core/auth/power_levels.hpp"
#include "core/room_version.hpp"
#include "rooms/errors.hpp"
#include "rooms/tx_event_source.hpp"

#include <algorithm>

namespace ranvier::rooms {
namespace {

/// State the new room inherits (Synapse's list, which the spec's "transferable state" follows).
constexpr const char* transferable[] = {"m.room.join_rules",  "m.room.history_visibility", "m.room.guest_access",
                                        "m.room.name",        "m.room.topic",              "m.room.avatar",
                                        "m.room.encryption",  "m.room.server_acl",         "m.room.canonical_alias"};

const nlohmann::json* current(storage::WriteTx& tx, TxEventSource& events, const std::string& room_id,
                              const char* type) {
  auto id = tx.rooms().current_state_event(room_id, {type, ""});
  return id ? events.fetch(*id) : nullptr;
}

}  // namespace

std::string upgrade_room(storage::WriteTx& tx, const EventPipeline& pipeline, const RoomUpgrade& request) {
  const auto* new_version = core::find_room_version(request.new_version);
  if (new_version == nullptr) {
    throw RoomError(RoomErrorKind::unsupported_version, "Unsupported room version " + request.new_version);
  }
  const auto& old_id = request.old_room_id;
  auto old_room = tx.rooms().get(old_id);
  const auto* old_version = old_room ? core::find_room_version(old_room->room_version) : nullptr;
  auto member = tx.rooms().membership(old_id, request.user_id);
  if (old_version == nullptr || !member || member->membership != storage::Membership::join) {
    throw RoomError(RoomErrorKind::forbidden, request.user_id + " is not in the room " + old_id);
  }
  TxEventSource events(tx);
  const auto* create = current(tx, events, old_id, "m.room.create");
  const auto* old_power = current(tx, events, old_id, "m.room.power_levels");
  if (create == nullptr) {
    throw RoomError(RoomErrorKind::forbidden, "The room has no create event");
  }
  auth::PowerLevels levels(old_power, *create, *old_version);
  if (levels.user_level(request.user_id) < levels.event_level("m.room.tombstone", true)) {
    throw RoomError(RoomErrorKind::forbidden, "You may not upgrade this room");
  }

  // The new room's create event: the old one's extra keys, the version, the predecessor.
  nlohmann::json create_content = create->value("content", nlohmann::json::object());
  for (const char* key : {"creator", "room_version", "predecessor", "additional_creators"}) {
    create_content.erase(key);
  }
  create_content["room_version"] = std::string(new_version->id);
  nlohmann::json predecessor = {{"room_id", old_id}};
  auto extremities = tx.rooms().forward_extremities(old_id);
  if (!extremities.empty()) {
    predecessor["event_id"] = extremities.front();
  }
  create_content["predecessor"] = predecessor;
  if (!new_version->implicit_room_creator) {
    create_content["creator"] = request.user_id;
  }
  std::vector<std::string> creators = {request.user_id};
  if (new_version->privileged_creators && !request.additional_creators.empty()) {
    create_content["additional_creators"] = request.additional_creators;
    creators.insert(creators.end(), request.additional_creators.begin(), request.additional_creators.end());
  }
  auto state = [&](std::string type, nlohmann::json content) {
    return EventDraft{.type = std::move(type), .sender = request.user_id, .state_key = "", .content = std::move(content)};
  };
  auto created = pipeline.create(tx, state("m.room.create", create_content));
  const std::string new_id = created.room_id;
  pipeline.send(tx, new_id,
                EventDraft{.type = "m.room.member", .sender = request.user_id, .state_key = request.user_id,
                           .content = request.member_content});

  // Power levels: the old ones, with the upgrading user able to set up the new room (v1–v11)
  // or left out of `users` as a creator (v12).
  nlohmann::json power = old_power != nullptr ? old_power->value("content", nlohmann::json::object())
                                              : nlohmann::json::object();
  if (!power.contains("users") || !power["users"].is_object()) {
    power["users"] = nlohmann::json::object();
  }
  if (new_version->privileged_creators) {
    for (const auto& creator : creators) {
      power["users"].erase(creator);
    }
  } else {
    const auto level = levels.user_level(request.user_id);
    power["users"][request.user_id] = level == auth::infinite_power ? 100 : level;
  }
  pipeline.send(tx, new_id, state("m.room.power_levels", power));

  for (const char* type : transferable) {
    const auto* event = current(tx, events, old_id, type);
    if (event == nullptr) {
      continue;
    }
    try {
      pipeline.send(tx, new_id, state(type, event->value("content", nlohmann::json::object())));
    } catch (const RoomError& e) {
      // A join rule the new version lacks, say: the new room keeps its default instead.
      if (e.kind() != RoomErrorKind::forbidden && e.kind() != RoomErrorKind::bad_event) {
        throw;
      }
    }
  }
  for (const auto& alias : tx.rooms().aliases_of(old_id)) {
    auto entry = tx.rooms().alias(alias);
    tx.rooms().remove_alias(alias);
    tx.rooms().create_alias({alias, new_id, entry ? entry->creator : request.user_id});
  }
  if (old_room->is_public) {
    tx.rooms().set_public(old_id, false);
    tx.rooms().set_public(new_id, true);
  }

  pipeline.send(tx, old_id,
                state("m.room.tombstone", {{"body", "This room has been replaced"}, {"replacement_room", new_id}}));
  // Keep ordinary members from talking or inviting in the old room, if the user may.
  nlohmann::json restricted = old_power != nullptr ? old_power->value("content", nlohmann::json::object())
                                                   : nlohmann::json::object();
  // The old version's own rules read the levels (older versions allow strings).
  auto level_in = [&](const char* key) -> std::int64_t {
    return restricted.contains(key) ? auth::parse_power_level(restricted[key], *old_version).value_or(0) : 0;
  };
  const std::int64_t floor = std::max<std::int64_t>(50, level_in("users_default") + 1);
  restricted["events_default"] = std::max(level_in("events_default"), floor);
  restricted["invite"] = std::max(level_in("invite"), floor);
  try {
    pipeline.send(tx, old_id, state("m.room.power_levels", restricted));
  } catch (const RoomError& e) {
    if (e.kind() != RoomErrorKind::forbidden) {
      throw;
    }
  }
  return new_id;
}

}  // namespace ranvier::rooms
