#include "storage/sql/json_array.hpp"
#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

std::optional<DeviceKey> key_from(const std::vector<Row>& rows, std::string_view algorithm) {
  if (rows.empty()) {
    return std::nullopt;
  }
  return DeviceKey{.algorithm = std::string(algorithm),
                   .key_id = rows.front().at(0).as_text(),
                   .key_json = rows.front().at(1).as_text()};
}

}  // namespace

std::optional<std::string> SqlE2eKeyStore::device_keys(std::string_view user_id, std::string_view device_id) {
  auto rows = session_.query(sql_.device_keys_one, {user_id, device_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

std::vector<DeviceKeys> SqlE2eKeyStore::device_keys_of(std::span<const std::string> user_ids) {
  std::vector<DeviceKeys> keys;
  if (user_ids.empty()) {
    return keys;
  }
  const std::string users = json_array(user_ids);
  for (const auto& row : session_.query(sql_.device_keys_of, {std::string_view(users)})) {
    keys.push_back({row.at(0).as_text(), row.at(1).as_text(), row.at(2).as_text(), row.at(3).as_optional_text()});
  }
  return keys;
}

std::optional<std::string> SqlE2eKeyStore::one_time_key(std::string_view user_id, std::string_view device_id,
                                                        std::string_view algorithm, std::string_view key_id) {
  auto rows = session_.query(sql_.otk_one, {user_id, device_id, algorithm, key_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_text();
}

std::map<std::string, std::int64_t> SqlE2eKeyStore::one_time_key_counts(std::string_view user_id,
                                                                        std::string_view device_id) {
  std::map<std::string, std::int64_t> counts;
  for (const auto& row : session_.query(sql_.otk_counts, {user_id, device_id})) {
    counts[row.at(0).as_text()] = row.at(1).as_int();
  }
  return counts;
}

std::optional<DeviceKey> SqlE2eKeyStore::fallback_key(std::string_view user_id, std::string_view device_id,
                                                      std::string_view algorithm) {
  return key_from(session_.query(sql_.fallback_one, {user_id, device_id, algorithm}), algorithm);
}

std::vector<std::string> SqlE2eKeyStore::unused_fallback_algorithms(std::string_view user_id,
                                                                    std::string_view device_id) {
  return text_column(session_.query(sql_.fallback_unused, {user_id, device_id}));
}

std::vector<CrossSigningKey> SqlE2eKeyStore::cross_signing_keys(std::span<const std::string> user_ids) {
  std::vector<CrossSigningKey> keys;
  if (user_ids.empty()) {
    return keys;
  }
  const std::string users = json_array(user_ids);
  for (const auto& row : session_.query(sql_.cross_signing_of, {std::string_view(users)})) {
    keys.push_back({row.at(0).as_text(), row.at(1).as_text(), row.at(2).as_text()});
  }
  return keys;
}

std::vector<KeySignature> SqlE2eKeyStore::signatures_of(std::span<const std::string> target_user_ids) {
  std::vector<KeySignature> signatures;
  if (target_user_ids.empty()) {
    return signatures;
  }
  const std::string users = json_array(target_user_ids);
  for (const auto& row : session_.query(sql_.signatures_of, {std::string_view(users)})) {
    signatures.push_back({row.at(0).as_text(), row.at(1).as_text(), row.at(2).as_text(), row.at(3).as_text(),
                          row.at(4).as_text()});
  }
  return signatures;
}

std::vector<std::string> SqlE2eKeyStore::device_list_changes(std::int64_t after, std::int64_t up_to) {
  return text_column(session_.query(sql_.list_changes, {after, up_to}));
}

std::int64_t SqlE2eKeyStore::device_list_max_stream() {
  return session_.query(sql_.list_max_stream, {}).front().at(0).as_int();
}

std::optional<std::int64_t> SqlE2eKeyStore::device_list_position(std::string_view user_id) {
  auto rows = session_.query(sql_.list_position, {user_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front().at(0).as_int();
}

std::vector<SeenMembershipChange> SqlE2eKeyStore::membership_changes_seen_by(std::string_view user_id,
                                                                             std::int64_t after,
                                                                             std::int64_t up_to) {
  std::vector<SeenMembershipChange> changes;
  for (const auto& row : session_.query(sql_.seen_changes, {user_id, after, up_to})) {
    auto membership = parse_membership(row.at(1).as_text());
    auto own = parse_membership(row.at(3).as_text());
    if (!membership || !own) {
      continue;
    }
    changes.push_back({row.at(0).as_text(), *membership, row.at(2).as_bool(), *own, row.at(4).as_bool()});
  }
  return changes;
}

std::vector<std::string> SqlE2eKeyStore::users_sharing_a_room(std::string_view user_id,
                                                              std::span<const std::string> candidates) {
  if (candidates.empty()) {
    return {};
  }
  const std::string users = json_array(candidates);
  return text_column(session_.query(sql_.sharing, {user_id, std::string_view(users)}));
}

void SqlE2eKeyStore::set_device_keys(std::string_view user_id, std::string_view device_id,
                                     std::string_view key_json) {
  session_.execute(sql_.device_keys_set, {user_id, device_id, key_json});
}

CreateResult SqlE2eKeyStore::add_one_time_key(std::string_view user_id, std::string_view device_id,
                                              const DeviceKey& key) {
  const auto changed =
      session_.execute(sql_.otk_insert, {user_id, device_id, std::string_view(key.algorithm),
                                         std::string_view(key.key_id), std::string_view(key.key_json)});
  return changed > 0 ? CreateResult::created : CreateResult::exists;
}

std::optional<DeviceKey> SqlE2eKeyStore::claim_one_time_key(std::string_view user_id, std::string_view device_id,
                                                            std::string_view algorithm) {
  return key_from(session_.query(sql_.otk_claim, {user_id, device_id, algorithm}), algorithm);
}

void SqlE2eKeyStore::set_fallback_key(std::string_view user_id, std::string_view device_id, const DeviceKey& key) {
  session_.execute(sql_.fallback_set, {user_id, device_id, std::string_view(key.algorithm),
                                       std::string_view(key.key_id), std::string_view(key.key_json)});
}

std::optional<DeviceKey> SqlE2eKeyStore::claim_fallback_key(std::string_view user_id, std::string_view device_id,
                                                            std::string_view algorithm) {
  return key_from(session_.query(sql_.fallback_claim, {user_id, device_id, algorithm}), algorithm);
}

void SqlE2eKeyStore::set_cross_signing_key(const CrossSigningKey& key) {
  session_.execute(sql_.cross_signing_set,
                   {std::string_view(key.user_id), std::string_view(key.usage), std::string_view(key.key_json)});
}

void SqlE2eKeyStore::put_signature(const KeySignature& s) {
  session_.execute(sql_.signature_set,
                   {std::string_view(s.signer_user_id), std::string_view(s.target_user_id),
                    std::string_view(s.target_key_id), std::string_view(s.signing_key_id),
                    std::string_view(s.signature)});
}

std::int64_t SqlE2eKeyStore::mark_device_list_changed(std::string_view user_id) {
  return session_.query(sql_.list_mark, {user_id}).front().at(0).as_int();
}

}  // namespace ranvier::storage::sql
