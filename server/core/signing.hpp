#pragma once
// Signing and verifying JSON objects (spec: content/appendices.md "Signing JSON",
// "Checking for a Signature"): the signature covers the canonical JSON of the object without
// its `signatures` and `unsigned` members.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/ed25519.hpp"

namespace ranvier::core {

/// A server's signing key: `ed25519:<version>` and its key pair.
struct SigningKey {
  std::string key_id;
  Ed25519KeyPair pair;

  /// The public key as unpadded base64, as published in `verify_keys`.
  std::string public_key_base64() const;
};

/// Builds a key from a version (`[a-zA-Z0-9_]+`, without `ed25519:`) and a seed; nullopt if the
/// version is malformed.
std::optional<SigningKey> make_signing_key(std::string_view version, const Ed25519Seed& seed);

/// A public key that can verify signatures, with its validity (ms since the epoch).
struct VerifyKey {
  Ed25519PublicKey key{};
  /// Signatures made after this time are not accepted where key validity is enforced.
  std::int64_t valid_until_ts = INT64_MAX;
};

/// Finds the key `key_id` (e.g. `ed25519:abc`) of `server`; nullopt if unknown.
using VerifyKeyLookup =
    std::function<std::optional<VerifyKey>(std::string_view server, std::string_view key_id)>;

/// The canonical JSON an object's signatures cover (the object minus `signatures`, `unsigned`).
std::string signable_json(const nlohmann::json& object);

/// Adds `entity`'s signature under `key.key_id` to `object` (an object), keeping existing
/// signatures and `unsigned`.
void sign_json(nlohmann::json& object, std::string_view entity, const SigningKey& key);

/// Why a signature check failed.
enum class SignatureError {
  not_an_object,       ///< the value or its `signatures` member has the wrong type
  not_signed,          ///< no signature from the entity with an algorithm we understand
  unknown_key,         ///< the entity signed only with keys we could not find
  key_expired,         ///< the only known keys were not valid at the required time
  bad_encoding,        ///< a signature is not 64 bytes of base64
  invalid_signature,   ///< a signature did not verify
};

/// Short English description of an error.
std::string_view to_string(SignatureError e);

/// Checks that `entity` signed `object`. Every ed25519 signature of the entity whose key is
/// known is checked and all must verify; at least one must. If `valid_at` is set, keys whose
/// valid_until_ts is earlier do not count (room versions ≥ 5 pass the event's origin_server_ts).
std::optional<SignatureError> verify_json_signature(const nlohmann::json& object,
                                                    std::string_view entity,
                                                    const VerifyKeyLookup& lookup,
                                                    std::optional<std::int64_t> valid_at = {});

/// As verify_json_signature, but over already computed signable bytes (saves re-encoding when
/// several entities' signatures are checked on the same object).
std::optional<SignatureError> verify_signatures_over(std::string_view signable,
                                                     const nlohmann::json& signatures,
                                                     std::string_view entity,
                                                     const VerifyKeyLookup& lookup,
                                                     std::optional<std::int64_t> valid_at = {});

}  // namespace ranvier::core
