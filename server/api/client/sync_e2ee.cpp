#include "api/client/sync_e2ee.hpp"

#include "api/client/device_lists.hpp"

namespace ranvier::api::client_server {

nlohmann::json one_time_key_counts(storage::ReadTx& tx, std::string_view user_id, std::string_view device_id) {
  // signed_curve25519 is always present: clients read it to decide whether to upload more.
  nlohmann::json counts = {{"signed_curve25519", 0}};
  for (const auto& [algorithm, count] : tx.e2e_keys().one_time_key_counts(user_id, device_id)) {
    counts[algorithm] = count;
  }
  return counts;
}

void E2eeSyncSection::add_to(nlohmann::json& response) const {
  response["device_lists"] = device_lists;
  response["device_one_time_keys_count"] = one_time_keys_count;
  response["device_unused_fallback_key_types"] = unused_fallback_key_types;
}

E2eeSyncSection e2ee_sync_section(storage::ReadTx& tx, std::string_view user_id, std::string_view device_id,
                                  const std::optional<SyncToken>& since, SyncToken& now) {
  now.device_lists = tx.e2e_keys().device_list_max_stream();
  E2eeSyncSection section;
  DeviceListDelta delta;
  // A token without a device-list part reads as 0: the changes of every tracked user come once,
  // which costs the client one more key query. A position from the future counts as now.
  if (since) {
    const std::int64_t from_lists = std::min(since->device_lists, now.device_lists);
    delta = device_list_delta(tx, user_id, {since->events, from_lists}, {now.events, now.device_lists});
  }
  section.has_updates = !delta.changed.empty() || !delta.left.empty();
  section.device_lists = {{"changed", delta.changed}, {"left", delta.left}};
  section.one_time_keys_count = one_time_key_counts(tx, user_id, device_id);
  section.unused_fallback_key_types = tx.e2e_keys().unused_fallback_algorithms(user_id, device_id);
  return section;
}

}  // namespace ranvier::api::client_server
