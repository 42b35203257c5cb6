#pragma once
// Device-list tracking (client-server API, "Tracking the device list for a user"): between two
// points of the event and device-list streams, which users a client should query keys for
// again (`changed`) and which it may stop tracking (`left`). Shared by /sync and /keys/changes.

#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::api::client_server {

/// A point in the two streams device lists depend on.
struct DeviceListPoint {
  std::int64_t events = 0;
  std::int64_t device_lists = 0;
};

struct DeviceListDelta {
  /// Users sharing a room with the user (or the user) whose devices or keys changed, and users
  /// who started sharing a room with them; sorted.
  std::vector<std::string> changed;
  /// Users who shared a room with the user at `from` and share none now; sorted.
  std::vector<std::string> left;
};

/// What changed for `user_id` between `from` and `to`.
DeviceListDelta device_list_delta(storage::ReadTx& tx, std::string_view user_id, const DeviceListPoint& from,
                                  const DeviceListPoint& to);

}  // namespace ranvier::api::client_server
