#include "api/client/local_keys.hpp"

#include "api/client/key_signatures.hpp"

namespace ranvier::api::client_server {

FoundKeys find_local_keys(storage::ReadTx& tx, const std::vector<std::string>& users) {
  return FoundKeys{tx.e2e_keys().device_keys_of(users), tx.e2e_keys().cross_signing_keys(users),
                   tx.e2e_keys().signatures_of(users)};
}

void merge_signatures(nlohmann::json& key, const std::vector<storage::KeySignature>& signatures,
                      std::string_view target_user, std::string_view target_key, std::string_view requester) {
  for (const auto& s : signatures) {
    if (s.target_user_id != target_user || s.target_key_id != target_key ||
        (s.signer_user_id != target_user && (requester.empty() || s.signer_user_id != requester))) {
      continue;
    }
    key["signatures"][s.signer_user_id][s.signing_key_id] = s.signature;
  }
}

nlohmann::json served_device_keys(const storage::DeviceKeys& device,
                                  const std::vector<storage::KeySignature>& signatures, std::string_view requester,
                                  bool with_display_name) {
  auto keys = nlohmann::json::parse(device.key_json, nullptr, false);
  if (!keys.is_object()) {
    return nlohmann::json::object();
  }
  merge_signatures(keys, signatures, device.user_id, device.device_id, requester);
  if (with_display_name && device.display_name) {
    keys["unsigned"]["device_display_name"] = *device.display_name;
  }
  return keys;
}

nlohmann::json served_cross_signing_keys(const FoundKeys& found, std::string_view requester) {
  nlohmann::json master = nlohmann::json::object(), self_signing = nlohmann::json::object(),
                 user_signing = nlohmann::json::object();
  for (const auto& key : found.cross_signing) {
    auto json = nlohmann::json::parse(key.key_json, nullptr, false);
    if (!json.is_object()) {
      continue;
    }
    if (auto public_key = cross_signing_public_key(json)) {
      merge_signatures(json, found.signatures, key.user_id, public_key->base64, requester);
    }
    if (key.usage == "master") {
      master[key.user_id] = std::move(json);
    } else if (key.usage == "self_signing") {
      self_signing[key.user_id] = std::move(json);
    } else if (key.usage == "user_signing" && key.user_id == requester) {
      user_signing[key.user_id] = std::move(json);
    }
  }
  return {{"master_keys", std::move(master)},
          {"self_signing_keys", std::move(self_signing)},
          {"user_signing_keys", std::move(user_signing)}};
}

nlohmann::json claim_local_keys(storage::WriteTx& tx, const std::vector<WantedKey>& wanted) {
  nlohmann::json keys = nlohmann::json::object();
  for (const auto& [user_id, device_id, algorithm] : wanted) {
    auto key = tx.e2e_keys().claim_one_time_key(user_id, device_id, algorithm);
    if (!key) {
      key = tx.e2e_keys().claim_fallback_key(user_id, device_id, algorithm);
    }
    if (key) {
      keys[user_id][device_id][algorithm + ":" + key->key_id] = nlohmann::json::parse(key->key_json, nullptr, false);
    }
  }
  return keys;
}

}  // namespace ranvier::api::client_server
