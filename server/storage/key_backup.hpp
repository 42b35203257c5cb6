#pragma once
// Server-side key backup (client-server API, "Server-side key backups"): numbered backup
// versions per user, each holding encrypted Megolm session keys per room and session. The
// server cannot read the keys; it only keeps the best copy of each session, which the caller
// decides (see api::client_server room key handlers).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

struct BackupVersion {
  std::string user_id;
  std::int64_t version = 0;
  std::string algorithm;
  /// JSON object text.
  std::string auth_data;
  /// Changes whenever the version's keys change.
  std::int64_t etag = 0;

  bool operator==(const BackupVersion&) const = default;
};

/// One backed-up session key.
struct BackedUpRoomKey {
  std::string room_id;
  std::string session_id;
  std::int64_t first_message_index = 0;
  std::int64_t forwarded_count = 0;
  bool is_verified = false;
  /// JSON object text (encrypted by the client).
  std::string session_data;

  bool operator==(const BackedUpRoomKey&) const = default;
};

/// Which keys of a version an operation covers: all, one room's, or one session's.
struct RoomKeyScope {
  std::optional<std::string> room_id{};
  /// Only with room_id.
  std::optional<std::string> session_id{};
};

class KeyBackupReads {
 public:
  virtual ~KeyBackupReads() = default;

  /// The newest version that was not deleted.
  virtual std::optional<BackupVersion> latest_version(std::string_view user_id) = 0;

  /// One version; nullopt when it never existed or was deleted.
  virtual std::optional<BackupVersion> version(std::string_view user_id, std::int64_t version) = 0;

  /// The version's keys in scope, by room then session.
  virtual std::vector<BackedUpRoomKey> keys(std::string_view user_id, std::int64_t version,
                                            const RoomKeyScope& scope) = 0;

  /// How many keys the version holds.
  virtual std::int64_t count(std::string_view user_id, std::int64_t version) = 0;
};

class KeyBackupStore : public KeyBackupReads {
 public:
  /// Creates the user's next version (numbers are never reused) and returns its number.
  virtual std::int64_t create_version(std::string_view user_id, std::string_view algorithm,
                                      std::string_view auth_data) = 0;

  /// Replaces a live version's auth_data; false when there is no such live version.
  virtual bool update_version(std::string_view user_id, std::int64_t version, std::string_view auth_data) = 0;

  /// Deletes a version and its keys; false when there was no such live version.
  virtual bool delete_version(std::string_view user_id, std::int64_t version) = 0;

  /// Stores (or replaces) one session key of a live version.
  virtual void put_key(std::string_view user_id, std::int64_t version, const BackedUpRoomKey& key) = 0;

  /// Deletes the version's keys in scope; returns how many.
  virtual std::int64_t delete_keys(std::string_view user_id, std::int64_t version, const RoomKeyScope& scope) = 0;

  /// Gives the version a new etag (after its keys changed).
  virtual void bump_etag(std::string_view user_id, std::int64_t version) = 0;
};

}  // namespace ranvier::storage
