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

// Changes to a local user's devices and keys, recorded in the device-list stream (for local
// room mates' /sync) and queued, in the change's own transaction, for every other server
// sharing a room with the user (server-server API, "Device Management"). Each
// m.device_list_update carries the user's new stream position as `stream_id` and the one
// before it as `prev_id`, which is what `/user/devices` answers as `stream_id`; a receiver that
// does not know the `prev_id` has missed an update and fetches the list again.

/// A device was added or renamed, or its identity keys or their signatures changed. A device
/// that no longer exists is announced as deleted.
void announce_device_change(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id,
                            const std::string& device_id);

/// Deletes a device (its keys and access tokens with it) and announces the deletion; false if
/// the user had no such device.
bool remove_device(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id,
                   const std::string& device_id);

/// Deletes every device of the user, announcing each; returns how many there were.
std::int64_t remove_all_devices(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id);

/// The user's cross-signing keys (or their signatures) changed: recorded in the stream and sent
/// as m.signing_key_update with the current master and self-signing keys.
void announce_cross_signing_change(storage::WriteTx& tx, std::string_view own_server, const std::string& user_id);

}  // namespace ranvier::api::client_server
