#pragma once
// Requests to an identity server (identity service API) on a client's behalf, with the
// client's `id_access_token`: looking up the Matrix ID bound to a third-party identifier
// (GET /v2/hash_details, then POST /v2/lookup with the hashed address) and storing an invite
// for an address bound to nobody (POST /v2/store-invite). Blocking; call from worker threads.

#include "core/expected.hpp"
#include "http/client.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ranvier::federation {

/// Why the identity server gave no usable answer.
struct IdentityError {
  int status = 0;        ///< HTTP status of an error answer; 0 when it could not be reached
  std::string errcode;   ///< its Matrix errcode, when present
  std::string message;
};

/// An invite stored by the identity server: what the m.room.third_party_invite event carries.
struct StoredInvite {
  std::string token;
  std::string display_name;
  /// [{"public_key": …, "key_validity_url": …}, …], at least one.
  nlohmann::json public_keys;
};

/// Talks to identity servers named by clients (`id_server`: host with an optional port, HTTPS).
class IdentityClient {
 public:
  /// `http` must outlive this.
  explicit IdentityClient(http::Client& http) : http_(http) {}

  /// The Matrix ID bound to `address` of `medium` ("email", "msisdn"), if any: sha256 lookup
  /// with the server's pepper, or plain when the server offers only "none".
  core::Expected<std::optional<std::string>, IdentityError> lookup(const std::string& id_server,
                                                                  const std::string& access_token,
                                                                  const std::string& medium,
                                                                  const std::string& address);

  /// POST /store-invite with `request` (medium, address, room_id, sender and the optional room
  /// and sender details); the answer's token, display name and public keys, checked.
  core::Expected<StoredInvite, IdentityError> store_invite(const std::string& id_server,
                                                           const std::string& access_token,
                                                           const nlohmann::json& request);

 private:
  core::Expected<nlohmann::json, IdentityError> call(const std::string& method, const std::string& id_server,
                                                     const std::string& path, const std::string& access_token,
                                                     const nlohmann::json* body);

  http::Client& http_;
};

/// The sha256 lookup hash of an address (identity service API, "Client behaviour"): unpadded
/// URL-safe base64 of SHA-256 over "<address> <medium> <pepper>".
std::string lookup_hash(const std::string& address, const std::string& medium, const std::string& pepper);

}  // namespace ranvier::federation
