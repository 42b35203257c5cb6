#include "api/client/key_signatures.hpp"

#include "core/base64.hpp"
#include "core/signing.hpp"

#include <algorithm>

namespace ranvier::api::client_server {

std::optional<core::Ed25519PublicKey> decode_ed25519_key(std::string_view base64) {
  auto bytes = core::base64_decode(base64);
  if (!bytes || bytes->size() != 32) {
    return std::nullopt;
  }
  core::Ed25519PublicKey key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

std::optional<core::Ed25519PublicKey> ed25519_key_in(const nlohmann::json& keys, std::string_view key_id) {
  if (!keys.is_object()) {
    return std::nullopt;
  }
  auto it = keys.find(key_id);
  if (it == keys.end() || !it->is_string()) {
    return std::nullopt;
  }
  return decode_ed25519_key(it->get_ref<const std::string&>());
}

bool has_valid_signature(const nlohmann::json& object, std::string_view user_id, std::string_view key_id,
                         const core::Ed25519PublicKey& key) {
  if (!object.is_object()) {
    return false;
  }
  const auto signatures = object.find("signatures");
  if (signatures == object.end() || !signatures->is_object()) {
    return false;
  }
  const auto by_user = signatures->find(user_id);
  if (by_user == signatures->end() || !by_user->is_object()) {
    return false;
  }
  const auto signature = by_user->find(key_id);
  if (signature == by_user->end() || !signature->is_string()) {
    return false;
  }
  auto bytes = core::base64_decode(signature->get_ref<const std::string&>());
  if (!bytes || bytes->size() != 64) {
    return false;
  }
  core::Ed25519Signature raw{};
  std::copy(bytes->begin(), bytes->end(), raw.begin());
  return core::ed25519_verify(key, core::signable_json(object), raw);
}

std::optional<CrossSigningPublicKey> cross_signing_public_key(const nlohmann::json& key) {
  if (!key.is_object() || !key.contains("keys") || !key["keys"].is_object() || key["keys"].size() != 1) {
    return std::nullopt;
  }
  const auto entry = key["keys"].begin();
  const std::string& key_id = entry.key();
  const auto& value = entry.value();
  if (!value.is_string() || key_id != "ed25519:" + value.get<std::string>()) {
    return std::nullopt;
  }
  auto decoded = decode_ed25519_key(value.get_ref<const std::string&>());
  if (!decoded) {
    return std::nullopt;
  }
  return CrossSigningPublicKey{key_id, value.get<std::string>(), *decoded};
}

nlohmann::json error_body(std::string_view errcode, std::string_view message, const nlohmann::json& extra) {
  nlohmann::json body = extra.is_object() ? extra : nlohmann::json::object();
  body["errcode"] = errcode;
  body["error"] = message;
  return body;
}

}  // namespace ranvier::api::client_server
