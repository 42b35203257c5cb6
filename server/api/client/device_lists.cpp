#include "api/client/device_lists.hpp"

#include "api/client/local_keys.hpp"
#include "rooms/federation_fanout.hpp"

#include <set>

namespace ranvier::api::client_server {
namespace {

using storage::Membership;

bool present(Membership m) { return m == Membership::join || m == Membership::invite; }

/// Queues an m.device_list_update for the device at stream position `stream` (the user's
/// position before was `prev`).
void queue_device_update(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id,
                         const std::string& device_id, std::int64_t stream, std::optional<std::int64_t> prev) {
  const auto destinations = rooms::user_edu_destinations(tx, user_id, own_server);
  if (destinations.empty()) {
    return;
  }
  nlohmann::json content = {{"user_id", user_id},
                            {"device_id", device_id},
                            {"stream_id", stream},
                            {"prev_id", prev ? nlohmann::json::array({*prev}) : nlohmann::json::array()}};
  const auto device = tx.devices().get(user_id, device_id);
  if (!device) {
    content["deleted"] = true;
  } else {
    if (device->display_name) {
      content["device_display_name"] = *device->display_name;
    }
    if (auto key_json = tx.e2e_keys().device_keys(user_id, device_id)) {
      const std::vector<std::string> user{user_id};
      content["keys"] = served_device_keys({user_id, device_id, *key_json}, tx.e2e_keys().signatures_of(user), "",
                                           false);
    }
  }
  rooms::queue_edu(tx, destinations, {{"edu_type", "m.device_list_update"}, {"content", std::move(content)}});
}

}  // namespace

void announce_device_change(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id,
                            const std::string& device_id) {
  const auto prev = tx.e2e_keys().device_list_position(user_id);
  const auto stream = tx.e2e_keys().mark_device_list_changed(user_id);
  queue_device_update(tx, own_server, user_id, device_id, stream, prev);
}

bool remove_device(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id,
                   const std::string& device_id) {
  const auto prev = tx.e2e_keys().device_list_position(user_id);
  // The store moves the user's stream position itself when it deletes a device.
  if (!tx.devices().remove(user_id, device_id)) {
    return false;
  }
  const auto stream = tx.e2e_keys().device_list_position(user_id);
  queue_device_update(tx, own_server, user_id, device_id,
                      stream ? *stream : tx.e2e_keys().mark_device_list_changed(user_id), prev);
  return true;
}

std::int64_t remove_all_devices(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id) {
  std::int64_t removed = 0;
  for (const auto& device : tx.devices().list(user_id)) {
    removed += remove_device(tx, own_server, user_id, device.device_id) ? 1 : 0;
  }
  return removed;
}

void announce_cross_signing_change(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id) {
  tx.e2e_keys().mark_device_list_changed(user_id);
  const auto destinations = rooms::user_edu_destinations(tx, user_id, own_server);
  if (destinations.empty()) {
    return;
  }
  const auto served = served_cross_signing_keys(find_local_keys(tx, {user_id}), "");
  nlohmann::json content = {{"user_id", user_id}};
  if (served["master_keys"].contains(user_id)) {
    content["master_key"] = served["master_keys"][user_id];
  }
  if (served["self_signing_keys"].contains(user_id)) {
    content["self_signing_key"] = served["self_signing_keys"][user_id];
  }
  rooms::queue_edu(tx, destinations, {{"edu_type", "m.signing_key_update"}, {"content", std::move(content)}});
}

DeviceListDelta device_list_delta(storage::ReadTx& tx, std::string_view user_id, const DeviceListPoint& from,
                                  const DeviceListPoint& to) {
  DeviceListDelta delta;
  // Users who came into view (a member of a room the user is in, newly there, or everyone in a
  // room the user joined) and users who may have gone out of it.
  std::set<std::string> arrived;
  std::set<std::string> departed;
  if (from.events < to.events) {
    for (auto& change : tx.e2e_keys().membership_changes_seen_by(user_id, from.events, to.events)) {
      const bool own_present = change.own_membership == Membership::join;
      if (own_present && present(change.membership)) {
        arrived.insert(std::move(change.user_id));
      } else if (change.changed_in_window || (!own_present && present(change.membership))) {
        departed.insert(std::move(change.user_id));
      }
    }
  }
  std::vector<std::string> listed;
  if (from.device_lists < to.device_lists) {
    listed = tx.e2e_keys().device_list_changes(from.device_lists, to.device_lists);
  }
  if (arrived.empty() && departed.empty() && listed.empty()) {
    return delta;
  }
  // Of those whose keys changed or who may have gone, the ones still sharing a room.
  std::set<std::string> candidates(departed.begin(), departed.end());
  candidates.insert(listed.begin(), listed.end());
  candidates.erase(std::string(user_id));
  const std::vector<std::string> asked(candidates.begin(), candidates.end());
  const auto shared_list = tx.e2e_keys().users_sharing_a_room(user_id, asked);
  std::set<std::string> shared(shared_list.begin(), shared_list.end());
  shared.insert(std::string(user_id));
  std::set<std::string> changed(arrived.begin(), arrived.end());
  for (auto& user : listed) {
    if (shared.contains(user)) {
      changed.insert(std::move(user));
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
