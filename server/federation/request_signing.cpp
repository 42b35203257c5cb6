#include "federation/request_signing.hpp"

#include "core/base64.hpp"
#include "core/identifiers.hpp"

namespace ranvier::federation {

using core::fail;

nlohmann::json request_signing_object(const SignedRequest& request) {
  nlohmann::json object{{"method", request.method},
                        {"uri", request.uri},
                        {"origin", request.origin},
                        {"destination", request.destination}};
  if (request.content != nullptr) {
    object["content"] = *request.content;
  }
  return object;
}

std::string authorization_header(const SignedRequest& request, const core::SigningKey& key) {
  const auto signature = core::ed25519_sign(key.pair, core::signable_json(request_signing_object(request)));
  return format_x_matrix(XMatrixAuth{std::string(request.origin), std::string(request.destination), key.key_id,
                                     core::base64_encode(core::as_bytes(signature))});
}

std::string_view to_string(RequestAuthError e) {
  switch (e) {
    case RequestAuthError::wrong_destination:
      return "the request is addressed to another server";
    case RequestAuthError::bad_origin:
      return "the origin is not a valid server name";
    case RequestAuthError::unknown_key:
      return "the origin's signing key could not be found";
    case RequestAuthError::key_expired:
      return "the origin's signing key has expired";
    case RequestAuthError::bad_signature:
      return "the request signature does not verify";
  }
  return "bad request signature";
}

core::Expected<std::string, RequestAuthError> verify_request(const XMatrixAuth& auth, std::string_view method,
                                                             std::string_view uri, const nlohmann::json* content,
                                                             std::string_view our_name,
                                                             const core::VerifyKeyLookup& lookup,
                                                             std::int64_t now_ms) {
  if (auth.destination && *auth.destination != our_name) {
    return fail(RequestAuthError::wrong_destination);
  }
  if (!core::is_valid_server_name(auth.origin)) {
    return fail(RequestAuthError::bad_origin);
  }
  if (!core::ed25519_key_version(auth.key)) {
    return fail(RequestAuthError::unknown_key);
  }
  const auto key = lookup(auth.origin, auth.key);
  if (!key) {
    return fail(RequestAuthError::unknown_key);
  }
  if (key->valid_until_ts < now_ms) {
    return fail(RequestAuthError::key_expired);
  }
  const auto signature = core::base64_decode(auth.sig);
  if (!signature || signature->size() != core::Ed25519Signature{}.size()) {
    return fail(RequestAuthError::bad_signature);
  }
  core::Ed25519Signature sig{};
  std::copy(signature->begin(), signature->end(), sig.begin());
  // Servers before v1.3 sent no destination but signed one all the same: our name.
  const SignedRequest signed_request{method, uri, auth.origin, auth.destination ? *auth.destination : our_name,
                                     content};
  if (!core::ed25519_verify(key->key, core::signable_json(request_signing_object(signed_request)), sig)) {
    return fail(RequestAuthError::bad_signature);
  }
  return auth.origin;
}

}  // namespace ranvier::federation
