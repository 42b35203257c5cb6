#include "api/admin/admin_actions.hpp"

#include "api/client/device_lists.hpp"
#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/services.hpp"
#include "core/room_version.hpp"
#include "rooms/errors.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/notifier.hpp"
#include "rooms/room_creation.hpp"
#include "storage/database.hpp"

#include <deque>
#include <limits>
#include <mutex>

namespace ranvier::api::admin {
namespace {

std::string local_suffix(const Services& services) { return ":" + services.pipeline.server_name(); }

/// Sends one membership event of `user_id` about themself in its own transaction; false when
/// the room or the auth rules refuse it.
bool send_own_membership(Services& services, const std::string& room_id, const std::string& user_id,
                         const std::string& membership) {
  try {
    services.database.write([&](storage::WriteTx& tx) {
      nlohmann::json content = membership == "join" ? client_server::member_content(tx, user_id, "join")
                                                    : nlohmann::json{{"membership", membership}};
      services.pipeline.send(tx, room_id,
                             rooms::EventDraft{.type = "m.room.member", .sender = user_id, .state_key = user_id,
                                               .content = std::move(content)});
    });
  } catch (const rooms::RoomError&) {
    return false;
  }
  services.notifier.notify();
  return true;
}

/// The room made for the users of a shut-down room: public, nobody but its creator may speak,
/// holding the message.
std::string create_notice_room(Services& services, const ShutdownRequest& request) {
  const std::string& creator = *request.new_room_user_id;
  auto room_id = services.database.write([&](storage::WriteTx& tx) {
    rooms::RoomCreation creation;
    creation.creator = creator;
    creation.creator_member_content = client_server::member_content(tx, creator, "join");
    creation.room_version = std::string(core::default_room_version);
    creation.preset = "public_chat";
    creation.name = request.room_name;
    creation.power_level_content_override = nlohmann::json{{"users_default", -10}};
    const std::string id = rooms::create_room(tx, services.pipeline, creation);
    services.pipeline.send(tx, id,
                           rooms::EventDraft{.type = "m.room.message",
                                             .sender = creator,
                                             .content = {{"msgtype", "m.text"}, {"body", request.message}}});
    return id;
  });
  services.notifier.notify();
  return room_id;
}

struct Task {
  std::string kind;
  std::string id;
  std::string room_id;
  nlohmann::json status;
};

struct Tasks {
  std::mutex mutex;
  std::deque<Task> list;
};

Tasks& tasks() {
  static Tasks instance;
  return instance;
}

}  // namespace

LeaveOutcome deactivate_user(Services& services, const std::string& user_id, bool erase) {
  const auto rooms = services.database.write([&](storage::WriteTx& tx) {
    tx.accounts().deactivate(user_id);
    // Devices take their tokens, pushers, keys and to-device messages with them; other servers
    // sharing a room with the user hear that the devices are gone.
    client_server::remove_all_devices(tx, services.pipeline.server_name(), user_id);
    tx.tokens().remove_for_user(user_id);
    if (erase) {
      tx.profiles().put(user_id, "{}");
      tx.admin().mark_erased(user_id, now_ms());
    }
    std::vector<std::string> ids;
    for (auto membership : {storage::Membership::join, storage::Membership::invite, storage::Membership::knock}) {
      for (const auto& member : tx.rooms().rooms_for_user(user_id, membership)) {
        ids.push_back(member.room_id);
      }
    }
    return ids;
  });
  LeaveOutcome outcome;
  for (const auto& room_id : rooms) {
    (send_own_membership(services, room_id, user_id, "leave") ? outcome.left : outcome.failed).push_back(room_id);
  }
  return outcome;
}

std::vector<std::string> refresh_member_events(Services& services, const std::string& user_id) {
  const auto rooms = services.database.read(
      [&](storage::ReadTx& tx) { return tx.rooms().rooms_for_user(user_id, storage::Membership::join); });
  std::vector<std::string> refused;
  for (const auto& member : rooms) {
    if (!send_own_membership(services, member.room_id, user_id, "join")) {
      refused.push_back(member.room_id);
    }
  }
  return refused;
}

ShutdownOutcome shutdown_room(Services& services, const std::string& room_id, const ShutdownRequest& request) {
  ShutdownOutcome outcome;
  const std::string suffix = local_suffix(services);
  const auto members = services.database.write([&](storage::WriteTx& tx) {
    if (request.block) {
      tx.admin().block_room(room_id, request.requester, now_ms());
    }
    std::vector<std::string> local;
    if (!tx.rooms().get(room_id)) {
      return local;
    }
    for (const auto& alias : tx.rooms().aliases_of(room_id)) {
      if (alias.ends_with(suffix) && tx.rooms().remove_alias(alias)) {
        outcome.local_aliases.push_back(alias);
      }
    }
    tx.rooms().set_public(room_id, false);
    for (auto membership : {storage::Membership::join, storage::Membership::invite, storage::Membership::knock}) {
      for (const auto& member : tx.rooms().members(room_id, membership)) {
        if (member.user_id.ends_with(suffix)) {
          local.push_back(member.user_id);
        }
      }
    }
    return local;
  });
  if (request.new_room_user_id) {
    outcome.new_room_id = create_notice_room(services, request);
  }
  for (const auto& user_id : members) {
    const bool left = send_own_membership(services, room_id, user_id, "leave");
    (left ? outcome.users.left : outcome.users.failed).push_back(user_id);
    if (left && outcome.new_room_id && user_id != *request.new_room_user_id) {
      send_own_membership(services, *outcome.new_room_id, user_id, "join");
    }
  }
  if (request.purge) {
    constexpr auto end = std::numeric_limits<std::int64_t>::max();
    outcome.purged_events = purge_history(services, room_id, {end, end}, true);
  }
  return outcome;
}

std::int64_t purge_history(Services& services, const std::string& room_id, storage::TopologicalPosition before,
                           bool delete_local) {
  return services.database.write([&](storage::WriteTx& tx) -> std::int64_t {
    // Sends build on the frontier under this lock; the purge never touches the frontier, but
    // taking turns keeps a send from naming an event as it goes.
    if (!tx.rooms().lock(room_id)) {
      return 0;
    }
    return tx.admin().purge_history({.room_id = room_id,
                                     .before = before,
                                     .local_suffix = local_suffix(services),
                                     .delete_local = delete_local});
  });
}

std::string record_task(const std::string& kind, const std::string& room_id, nlohmann::json status) {
  auto& all = tasks();
  std::lock_guard lock(all.mutex);
  std::string id = storage::generate_token("").substr(0, 16);
  status[kind + "_id"] = id;
  // Statuses are for reading back soon after; a server up for years keeps the latest only.
  constexpr std::size_t kept = 1000;
  if (all.list.size() >= kept) {
    all.list.erase(all.list.begin());
  }
  all.list.push_back(Task{kind, id, room_id, std::move(status)});
  return id;
}

nlohmann::json task_status(const std::string& kind, const std::string& task_id) {
  auto& all = tasks();
  std::lock_guard lock(all.mutex);
  for (const auto& task : all.list) {
    if (task.kind == kind && task.id == task_id) {
      return task.status;
    }
  }
  throw MatrixError(ErrCode::not_found, kind + " id '" + task_id + "' not found");
}

std::vector<nlohmann::json> room_task_statuses(const std::string& kind, const std::string& room_id) {
  auto& all = tasks();
  std::lock_guard lock(all.mutex);
  std::vector<nlohmann::json> found;
  for (const auto& task : all.list) {
    if (task.kind == kind && task.room_id == room_id) {
      found.push_back(task.status);
    }
  }
  return found;
}

}  // namespace ranvier::api::admin
