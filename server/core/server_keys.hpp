#pragma once
// Server key documents (spec: content/server-server-api.md "Retrieving server keys";
// data/api/server-server/definitions/keys.yaml): building this server's self-signed
// `/_matrix/key/v2/server` response and checking one received from another server or a notary.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "core/signing.hpp"

namespace ranvier::core {

/// A retired public key, still published so old signatures can be checked.
struct OldVerifyKey {
  std::string key_id;
  Ed25519PublicKey key{};
  /// When the key stopped being used (ms since the epoch).
  std::int64_t expired_ts = 0;
};

/// Builds the signed key document: `server_name`, `verify_keys` (the public halves of
/// `current`), `old_verify_keys`, `valid_until_ts`, and a signature by every current key.
nlohmann::json build_server_keys(std::string_view server_name,
                                 const std::vector<SigningKey>& current,
                                 const std::vector<OldVerifyKey>& old,
                                 std::int64_t valid_until_ts);

/// Keys learned from a verified key document, by key ID. Current keys are valid until the
/// document's `valid_until_ts`, old keys until their `expired_ts`.
struct ServerKeys {
  std::string server_name;
  std::int64_t valid_until_ts = 0;
  std::map<std::string, VerifyKey, std::less<>> verify_keys;
  std::map<std::string, VerifyKey, std::less<>> old_verify_keys;

  /// Looks a key up among current and old keys.
  std::optional<VerifyKey> find(std::string_view key_id) const;
};

/// Why a key document was refused.
enum class ServerKeysError {
  malformed,             ///< wrong shape or types
  wrong_server,          ///< `server_name` is not the server asked about
  bad_key,               ///< a key is not 32 bytes of base64
  signature_failed,      ///< not (validly) self-signed by a key in `verify_keys`
};

/// Short English description of an error.
std::string_view to_string(ServerKeysError e);

/// Parses a key document for `server_name` and checks its self-signature (every signature by a
/// listed current key must verify, and there must be at least one).
Expected<ServerKeys, ServerKeysError> verify_server_keys(const nlohmann::json& document,
                                                         std::string_view server_name);

/// The longest a fetched key may be trusted beyond the moment it was fetched (room versions ≥ 5:
/// "the lesser of valid_until_ts and 7 days into the future").
inline constexpr std::int64_t max_key_validity_ms = 7LL * 24 * 60 * 60 * 1000;

/// The validity to use for a key fetched at `fetched_at_ms` that claims `valid_until_ts`.
std::int64_t capped_valid_until(std::int64_t valid_until_ts, std::int64_t fetched_at_ms);

/// The notary response of `/_matrix/key/v2/query`: `{"server_keys": [...]}` with each stored key
/// document co-signed by `notary_name` with every key in `keys` (their own signatures kept).
nlohmann::json build_notary_response(std::vector<nlohmann::json> documents,
                                     std::string_view notary_name,
                                     const std::vector<SigningKey>& keys);

}  // namespace ranvier::core
