#pragma once
// This server's users' end-to-end keys as other parties see them: what the client-server
// /keys/query and /keys/claim answer for local users, and what the federation /user/keys/query,
// /user/keys/claim and /user/devices answer to other servers (spec: client-server API "Key
// management API"; server-server API "End-to-End Encryption" and "Device Management").

#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace ranvier::api::client_server {

/// The stored keys of some local users.
struct FoundKeys {
  std::vector<storage::DeviceKeys> devices;
  std::vector<storage::CrossSigningKey> cross_signing;
  std::vector<storage::KeySignature> signatures;
};

/// Reads the device keys, cross-signing keys and signatures of `users`.
FoundKeys find_local_keys(storage::ReadTx& tx, const std::vector<std::string>& users);

/// Merges the signatures stored apart from the keys into a key object, keeping those the
/// requester may see: the key owner's own, and the requester's (an empty requester, another
/// server, sees the owner's only).
void merge_signatures(nlohmann::json& key, const std::vector<storage::KeySignature>& signatures,
                      std::string_view target_user, std::string_view target_key, std::string_view requester);

/// One device's identity keys as served: the uploaded object, the signatures the requester may
/// see, and the device's display name in `unsigned` (when `with_display_name`).
nlohmann::json served_device_keys(const storage::DeviceKeys& device,
                                  const std::vector<storage::KeySignature>& signatures, std::string_view requester,
                                  bool with_display_name = true);

/// The cross-signing keys of a query's answer with the signatures the requester may see:
/// {"master_keys": {user: key}, "self_signing_keys": …, "user_signing_keys": …}, the last one
/// holding only the requester's own key.
nlohmann::json served_cross_signing_keys(const FoundKeys& found, std::string_view requester);

/// One key wanted by a claim: user, device, algorithm.
using WantedKey = std::tuple<std::string, std::string, std::string>;

/// Takes a one-time key (else the fallback key, marked used) of each wanted device that has one:
/// {user: {device: {"<algorithm>:<key id>": key}}}.
nlohmann::json claim_local_keys(storage::WriteTx& tx, const std::vector<WantedKey>& wanted);

}  // namespace ranvier::api::client_server
