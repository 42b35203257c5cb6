#pragma once
// End-to-end encryption keys (client-server API, "End-to-End Encryption"): device identity
// keys, one-time and fallback keys, cross-signing keys, signatures uploaded by users, and the
// device-list stream that tells other users' clients when to query keys again.
// Keys are stored as the JSON text the client uploaded; checking them is the caller's job.
// A device's keys are deleted with the device.

#include "storage/accounts.hpp"
#include "storage/rooms.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// The identity keys of one device.
struct DeviceKeys {
  std::string user_id;
  std::string device_id;
  /// The signed JSON object as uploaded, without `unsigned` (the server adds its own there).
  std::string key_json;
  /// The device's display name (shown to other users in /keys/query).
  std::optional<std::string> display_name{};

  bool operator==(const DeviceKeys&) const = default;
};

/// A one-time or fallback key of a device. `key_id` is the part after `<algorithm>:`.
struct DeviceKey {
  std::string algorithm;
  std::string key_id;
  /// The key: a JSON string or (for signed curve25519) a JSON object.
  std::string key_json;

  bool operator==(const DeviceKey&) const = default;
};

/// One cross-signing key of a user.
struct CrossSigningKey {
  std::string user_id;
  /// master, self_signing or user_signing.
  std::string usage;
  std::string key_json;

  bool operator==(const CrossSigningKey&) const = default;
};

/// A signature one user uploaded over a key: a device of `target_user_id` (target_key_id is
/// the device ID) or a cross-signing key (target_key_id is its unpadded base64 public key).
struct KeySignature {
  std::string signer_user_id;
  std::string target_user_id;
  std::string target_key_id;
  /// e.g. `ed25519:<public key of the signer's self-signing key>`.
  std::string signing_key_id;
  std::string signature;

  bool operator==(const KeySignature&) const = default;
};

/// A membership change another user made in a room shared with the user whose device lists are
/// tracked (or the tracked user's own change, which counts for everyone in the room).
struct SeenMembershipChange {
  std::string user_id;
  Membership membership = Membership::leave;
  /// Whether `user_id`'s membership moved inside the window (else only the tracked user's did).
  bool changed_in_window = false;
  /// The tracked user's own membership in that room, and whether it moved inside the window.
  Membership own_membership = Membership::leave;
  bool own_changed_in_window = false;

  bool operator==(const SeenMembershipChange&) const = default;
};

class E2eKeyReads {
 public:
  virtual ~E2eKeyReads() = default;

  /// The identity keys of one device.
  virtual std::optional<std::string> device_keys(std::string_view user_id, std::string_view device_id) = 0;

  /// The identity keys of every device of the given users that uploaded some, by user then
  /// device ID.
  virtual std::vector<DeviceKeys> device_keys_of(std::span<const std::string> user_ids) = 0;

  /// One stored one-time key (to tell a re-upload from a clash).
  virtual std::optional<std::string> one_time_key(std::string_view user_id, std::string_view device_id,
                                                  std::string_view algorithm, std::string_view key_id) = 0;

  /// How many unclaimed one-time keys the device has, per algorithm (absent algorithms: none).
  virtual std::map<std::string, std::int64_t> one_time_key_counts(std::string_view user_id,
                                                                  std::string_view device_id) = 0;

  /// The device's fallback key for an algorithm, used or not.
  virtual std::optional<DeviceKey> fallback_key(std::string_view user_id, std::string_view device_id,
                                                std::string_view algorithm) = 0;

  /// Algorithms whose fallback key has not been claimed since it was uploaded, sorted.
  virtual std::vector<std::string> unused_fallback_algorithms(std::string_view user_id,
                                                              std::string_view device_id) = 0;

  /// The cross-signing keys of the given users.
  virtual std::vector<CrossSigningKey> cross_signing_keys(std::span<const std::string> user_ids) = 0;

  /// Signatures over keys of the given users.
  virtual std::vector<KeySignature> signatures_of(std::span<const std::string> target_user_ids) = 0;

  /// Users whose devices or keys changed at stream positions in (after, up_to], sorted.
  virtual std::vector<std::string> device_list_changes(std::int64_t after, std::int64_t up_to) = 0;

  /// The highest device-list stream position (0 before the first change).
  virtual std::int64_t device_list_max_stream() = 0;

  /// The stream position of the user's latest device-list change; nullopt when there was none.
  virtual std::optional<std::int64_t> device_list_position(std::string_view user_id) = 0;

  /// For device-list tracking between event stream positions (after, up_to]: the members of
  /// rooms `user_id` is joined to whose membership moved in the window, and every member of
  /// rooms whose membership `user_id` itself changed in the window (joined or left).
  virtual std::vector<SeenMembershipChange> membership_changes_seen_by(std::string_view user_id,
                                                                       std::int64_t after,
                                                                       std::int64_t up_to) = 0;

  /// Those of `candidates` who are joined to or invited into a room `user_id` is joined to.
  virtual std::vector<std::string> users_sharing_a_room(std::string_view user_id,
                                                        std::span<const std::string> candidates) = 0;
};

class E2eKeyStore : public E2eKeyReads {
 public:
  /// Stores (or replaces) a device's identity keys. The device must exist (ErrorKind::constraint).
  virtual void set_device_keys(std::string_view user_id, std::string_view device_id, std::string_view key_json) = 0;

  /// Adds a one-time key; `exists` (nothing changed) when the device has that key ID already.
  virtual CreateResult add_one_time_key(std::string_view user_id, std::string_view device_id,
                                        const DeviceKey& key) = 0;

  /// Takes one one-time key of the algorithm away from the device and returns it; nullopt when
  /// it has none. Two concurrent claims never get the same key.
  virtual std::optional<DeviceKey> claim_one_time_key(std::string_view user_id, std::string_view device_id,
                                                      std::string_view algorithm) = 0;

  /// Stores the device's fallback key for `key.algorithm`, replacing the previous one, unused.
  virtual void set_fallback_key(std::string_view user_id, std::string_view device_id, const DeviceKey& key) = 0;

  /// Returns the fallback key of the algorithm and marks it used (it stays available).
  virtual std::optional<DeviceKey> claim_fallback_key(std::string_view user_id, std::string_view device_id,
                                                      std::string_view algorithm) = 0;

  /// Stores (or replaces) a cross-signing key of a user.
  virtual void set_cross_signing_key(const CrossSigningKey& key) = 0;

  /// Stores a signature, replacing one by the same signer and key over the same target.
  virtual void put_signature(const KeySignature& signature) = 0;

  /// Records that the user's devices or keys changed; returns the new stream position.
  virtual std::int64_t mark_device_list_changed(std::string_view user_id) = 0;
};

}  // namespace ranvier::storage
