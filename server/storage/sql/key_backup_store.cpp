#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

std::optional<BackupVersion> version_from(const std::vector<Row>& rows, std::string_view user_id) {
  if (rows.empty()) {
    return std::nullopt;
  }
  const auto& row = rows.front();
  return BackupVersion{.user_id = std::string(user_id),
                       .version = row.at(0).as_int(),
                       .algorithm = row.at(1).as_text(),
                       .auth_data = row.at(2).as_text(),
                       .etag = row.at(3).as_int()};
}

}  // namespace

std::optional<BackupVersion> SqlKeyBackupStore::latest_version(std::string_view user_id) {
  return version_from(session_.query(sql_.latest, {user_id}), user_id);
}

std::optional<BackupVersion> SqlKeyBackupStore::version(std::string_view user_id, std::int64_t version) {
  return version_from(session_.query(sql_.version_one, {user_id, version}), user_id);
}

std::vector<BackedUpRoomKey> SqlKeyBackupStore::keys(std::string_view user_id, std::int64_t version,
                                                     const RoomKeyScope& scope) {
  std::vector<BackedUpRoomKey> keys;
  for (const auto& row :
       session_.query(sql_.keys, {user_id, version, nullable(scope.room_id), nullable(scope.session_id)})) {
    keys.push_back(BackedUpRoomKey{.room_id = row.at(0).as_text(),
                                   .session_id = row.at(1).as_text(),
                                   .first_message_index = row.at(2).as_int(),
                                   .forwarded_count = row.at(3).as_int(),
                                   .is_verified = row.at(4).as_bool(),
                                   .session_data = row.at(5).as_text()});
  }
  return keys;
}

std::int64_t SqlKeyBackupStore::count(std::string_view user_id, std::int64_t version) {
  return session_.query(sql_.count, {user_id, version}).front().at(0).as_int();
}

std::int64_t SqlKeyBackupStore::create_version(std::string_view user_id, std::string_view algorithm,
                                               std::string_view auth_data) {
  return session_.query(sql_.version_insert, {user_id, algorithm, auth_data}).front().at(0).as_int();
}

bool SqlKeyBackupStore::update_version(std::string_view user_id, std::int64_t version, std::string_view auth_data) {
  return session_.execute(sql_.version_update, {user_id, version, auth_data}) > 0;
}

bool SqlKeyBackupStore::delete_version(std::string_view user_id, std::int64_t version) {
  if (session_.execute(sql_.version_delete, {user_id, version}) == 0) {
    return false;
  }
  session_.execute(sql_.keys_delete, {user_id, version, nullptr, nullptr});
  return true;
}

void SqlKeyBackupStore::put_key(std::string_view user_id, std::int64_t version, const BackedUpRoomKey& key) {
  session_.execute(sql_.key_set, {user_id, version, std::string_view(key.room_id), std::string_view(key.session_id),
                                  key.first_message_index, key.forwarded_count, key.is_verified,
                                  std::string_view(key.session_data)});
}

std::int64_t SqlKeyBackupStore::delete_keys(std::string_view user_id, std::int64_t version,
                                            const RoomKeyScope& scope) {
  return session_.execute(sql_.keys_delete,
                          {user_id, version, nullable(scope.room_id), nullable(scope.session_id)});
}

void SqlKeyBackupStore::bump_etag(std::string_view user_id, std::int64_t version) {
  session_.execute(sql_.bump_etag, {user_id, version});
}

}  // namespace ranvier::storage::sql
