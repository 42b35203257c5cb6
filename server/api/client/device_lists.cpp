#include "api/client/device_lists.hpp"

#include <set>

namespace ranvier::api::client_server {
namespace {

using storage::Membership;

bool present(Membership m) { return m == Membership::join || m == Membership::invite; }

}  // namespace

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
