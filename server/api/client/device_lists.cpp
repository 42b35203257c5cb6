#include "api/client/device_lists.hpp"

#include <algorithm>
#include <set>

namespace ranvier::api::client_server {
namespace {

using storage::Membership;

bool in_window(std::int64_t stream, const DeviceListPoint& from, const DeviceListPoint& to) {
  return stream > from.events && stream <= to.events;
}

void add_members(storage::ReadTx& tx, std::string_view room_id, std::set<std::string>& into) {
  for (auto kind : {Membership::join, Membership::invite}) {
    for (const auto& member : tx.rooms().members(room_id, kind)) {
      into.insert(member.user_id);
    }
  }
}

}  // namespace

std::vector<std::string> users_sharing_rooms(storage::ReadTx& tx, std::string_view user_id) {
  std::set<std::string> users{std::string(user_id)};
  for (const auto& room : tx.rooms().rooms_for_user(user_id, Membership::join)) {
    add_members(tx, room.room_id, users);
  }
  return {users.begin(), users.end()};
}

DeviceListDelta device_list_delta(storage::ReadTx& tx, std::string_view user_id, const DeviceListPoint& from,
                                  const DeviceListPoint& to) {
  DeviceListDelta delta;
  if (from.events == to.events && from.device_lists == to.device_lists) {
    return delta;
  }
  // Users whose membership moved in the window in a room the user is in, or was in.
  std::set<std::string> arrived;
  std::set<std::string> departed;
  std::set<std::string> shared{std::string(user_id)};
  auto scan_room = [&](std::string_view room_id, bool whole_room_arrived) {
    for (auto kind : {Membership::join, Membership::invite}) {
      for (const auto& member : tx.rooms().members(room_id, kind)) {
        shared.insert(member.user_id);
        if (whole_room_arrived || in_window(member.stream, from, to)) {
          arrived.insert(member.user_id);
        }
      }
    }
    for (auto kind : {Membership::leave, Membership::ban}) {
      for (const auto& member : tx.rooms().members(room_id, kind)) {
        if (in_window(member.stream, from, to)) {
          departed.insert(member.user_id);
        }
      }
    }
  };
  for (const auto& room : tx.rooms().rooms_for_user(user_id, Membership::join)) {
    scan_room(room.room_id, in_window(room.stream, from, to));
  }
  // Everyone in a room the user left in the window may be gone from the user's view.
  for (auto kind : {Membership::leave, Membership::ban}) {
    for (const auto& room : tx.rooms().rooms_for_user(user_id, kind)) {
      if (!in_window(room.stream, from, to)) {
        continue;
      }
      std::set<std::string> members;
      add_members(tx, room.room_id, members);
      departed.insert(members.begin(), members.end());
    }
  }
  std::set<std::string> changed;
  for (auto& user : tx.e2e_keys().device_list_changes(from.device_lists, to.device_lists)) {
    if (shared.contains(user)) {
      changed.insert(std::move(user));
    }
  }
  for (const auto& user : arrived) {
    if (user != user_id) {
      changed.insert(user);
    }
  }
  delta.changed.assign(changed.begin(), changed.end());
  for (const auto& user : departed) {
    if (!shared.contains(user)) {
      delta.left.push_back(user);
    }
  }
  return delta;
}

}  // namespace ranvier::api::client_server
