#pragma once
// The end-to-end encryption parts of a /sync response (client-server API, "End-to-End
// Encryption", "Extensions to /sync"): `device_lists`, `device_one_time_keys_count` and
// `device_unused_fallback_key_types`.

#include "api/client/stream_tokens.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace ranvier::api::client_server {

struct E2eeSyncSection {
  /// `{"changed": [...], "left": [...]}`; empty lists on an initial sync.
  nlohmann::json device_lists;
  nlohmann::json one_time_keys_count;
  nlohmann::json unused_fallback_key_types;
  /// Device-list changes are news that ends a long poll; key counts are not.
  bool has_updates = false;

  /// Adds the three members to a /sync response.
  void add_to(nlohmann::json& response) const;
};

/// `device_one_time_keys_count` / `one_time_key_counts`: unclaimed one-time keys per algorithm.
nlohmann::json one_time_key_counts(storage::ReadTx& tx, std::string_view user_id, std::string_view device_id);

/// The section for `device_id` of `user_id`, from `since` (none: initial sync) up to `now`,
/// whose device-list position this sets.
E2eeSyncSection e2ee_sync_section(storage::ReadTx& tx, std::string_view user_id, std::string_view device_id,
                                  const std::optional<SyncToken>& since, SyncToken& now);

}  // namespace ranvier::api::client_server
