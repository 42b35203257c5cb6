#pragma once
// The opaque tokens of /sync and /messages. `s<events>_<account data>_<typing>_<receipts>_<to-device>_<presence>_<device lists>`
// marks a point in the server's streams (next_batch; tokens without the later parts, from
// older versions, are still read);
// `t<depth>_<stream>` a point in one room's DAG order (prev_batch, start, end). /messages
// accepts both.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::api::client_server {

/// Positions in the streams /sync follows.
struct SyncToken {
  std::int64_t events = 0;
  std::int64_t account_data = 0;
  /// Typing notifications (in memory, see rooms::Typing).
  std::int64_t typing = 0;
  std::int64_t receipts = 0;
  /// The last to-device message delivered to the syncing device.
  std::int64_t to_device = 0;
  std::int64_t presence = 0;
  /// The device-list stream (users whose devices or keys changed).
  std::int64_t device_lists = 0;

  std::string text() const;
  /// nullopt for anything but a well-formed token.
  static std::optional<SyncToken> parse(std::string_view text);
};

/// A position between events of one room in DAG order: before the event at (depth, stream).
struct TopologicalToken {
  std::int64_t depth = 0;
  std::int64_t stream = 0;

  std::string text() const;
  static std::optional<TopologicalToken> parse(std::string_view text);
};

}  // namespace ranvier::api::client_server
