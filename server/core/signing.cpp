#include "core/signing.hpp"

#include <algorithm>

#include "core/base64.hpp"
#include "core/canonical_json.hpp"

namespace ranvier::core {

std::string SigningKey::public_key_base64() const { return base64_encode(as_bytes(pair.public_key)); }

std::optional<SigningKey> make_signing_key(std::string_view version, const Ed25519Seed& seed) {
  std::string key_id = "ed25519:";
  key_id += version;
  if (!ed25519_key_version(key_id)) {
    return std::nullopt;
  }
  return SigningKey{std::move(key_id), ed25519_from_seed(seed)};
}

std::string signable_json(const nlohmann::json& object) {
  std::string out;
  out.reserve(512);
  canonical_json_append_without(object, {"signatures", "unsigned"}, out);
  return out;
}

void sign_json(nlohmann::json& object, std::string_view entity, const SigningKey& key) {
  const auto sig = ed25519_sign(key.pair, signable_json(object));
  auto& signatures = object["signatures"];
  if (!signatures.is_object()) {
    signatures = nlohmann::json::object();
  }
  auto& mine = signatures[std::string(entity)];
  if (!mine.is_object()) {
    mine = nlohmann::json::object();
  }
  mine[key.key_id] = base64_encode(as_bytes(sig));
}

std::string_view to_string(SignatureError e) {
  switch (e) {
    case SignatureError::not_an_object: return "signed value or its signatures is not an object";
    case SignatureError::not_signed: return "no ed25519 signature from the entity";
    case SignatureError::unknown_key: return "signing key not found";
    case SignatureError::key_expired: return "signing key not valid at the required time";
    case SignatureError::bad_encoding: return "signature is not valid base64 of 64 bytes";
    case SignatureError::invalid_signature: return "signature does not verify";
  }
  return "unknown signature error";
}

std::optional<SignatureError> verify_signatures_over(std::string_view signable,
                                                     const nlohmann::json& signatures,
                                                     std::string_view entity,
                                                     const VerifyKeyLookup& lookup,
                                                     std::optional<std::int64_t> valid_at) {
  if (!signatures.is_object()) {
    return SignatureError::not_an_object;
  }
  const auto& by_entity = signatures.get_ref<const nlohmann::json::object_t&>();
  const auto it = by_entity.find(entity);
  if (it == by_entity.end() || !it->second.is_object()) {
    return SignatureError::not_signed;
  }
  bool any_ed25519 = false;
  bool any_expired = false;
  int verified = 0;
  for (const auto& [key_id, sig_b64] : it->second.get_ref<const nlohmann::json::object_t&>()) {
    if (!ed25519_key_version(key_id)) {
      continue;  // algorithms we do not understand are skipped, as the spec says
    }
    any_ed25519 = true;
    const auto key = lookup(entity, key_id);
    if (!key) {
      continue;
    }
    if (valid_at && key->valid_until_ts < *valid_at) {
      any_expired = true;
      continue;
    }
    if (!sig_b64.is_string()) {
      return SignatureError::bad_encoding;
    }
    const auto raw = base64_decode(sig_b64.get_ref<const std::string&>());
    if (!raw || raw->size() != Ed25519Signature{}.size()) {
      return SignatureError::bad_encoding;
    }
    Ed25519Signature sig;
    std::copy(raw->begin(), raw->end(), sig.begin());
    if (!ed25519_verify(key->key, signable, sig)) {
      return SignatureError::invalid_signature;
    }
    ++verified;
  }
  if (verified > 0) {
    return std::nullopt;
  }
  if (!any_ed25519) {
    return SignatureError::not_signed;
  }
  return any_expired ? SignatureError::key_expired : SignatureError::unknown_key;
}

std::optional<SignatureError> verify_json_signature(const nlohmann::json& object,
                                                    std::string_view entity,
                                                    const VerifyKeyLookup& lookup,
                                                    std::optional<std::int64_t> valid_at) {
  if (!object.is_object()) {
    return SignatureError::not_an_object;
  }
  const auto sigs = object.find("signatures");
  if (sigs == object.end()) {
    return SignatureError::not_signed;
  }
  return verify_signatures_over(signable_json(object), *sigs, entity, lookup, valid_at);
}

}  // namespace ranvier::core
