#pragma once
// Checks of the signed JSON objects of end-to-end encryption (client-server API, "Signing
// JSON" and "Cross-signing"): device keys signed by their own device key, cross-signing keys
// signed by the master key, and signatures users upload over each other's keys. Key IDs here
// may carry base64 public keys (`ed25519:<key>`), which server signing-key IDs never do, so
// the check is done over core's signable JSON and ed25519 directly.

#include "core/ed25519.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ranvier::api::client_server {

/// The ed25519 public key stored under `keys[key_id]` (unpadded base64); nullopt when missing
/// or malformed.
std::optional<core::Ed25519PublicKey> ed25519_key_in(const nlohmann::json& keys, std::string_view key_id);

/// Decodes an unpadded base64 ed25519 public key.
std::optional<core::Ed25519PublicKey> decode_ed25519_key(std::string_view base64);

/// True when `object.signatures[user_id][key_id]` is a valid signature of the object by `key`.
bool has_valid_signature(const nlohmann::json& object, std::string_view user_id, std::string_view key_id,
                         const core::Ed25519PublicKey& key);

/// The single `ed25519:<public key>` entry of a cross-signing key's `keys`, with the key; nullopt
/// unless there is exactly one such entry whose ID names its own value.
struct CrossSigningPublicKey {
  std::string key_id;
  std::string base64;
  core::Ed25519PublicKey key{};
};
std::optional<CrossSigningPublicKey> cross_signing_public_key(const nlohmann::json& key);

/// An error response with any errcode (for those errors.hpp does not declare, such as
/// M_INVALID_SIGNATURE and M_WRONG_ROOM_KEYS_VERSION), with `extra` members merged in.
nlohmann::json error_body(std::string_view errcode, std::string_view message,
                          const nlohmann::json& extra = nlohmann::json::object());

}  // namespace ranvier::api::client_server
