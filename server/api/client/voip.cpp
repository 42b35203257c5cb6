// GET /voip/turnServer (client-server API, "Voice over IP",
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3voipturnserver): the TURN
// servers from the `turn` config section. With a shared secret the credentials follow the TURN
// REST API convention (username "<expiry>:<user ID>", password base64 HMAC-SHA1 of it), as
// Synapse and coturn's `use-auth-secret` do; with no URIs configured the answer is `{}`.

#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/base64.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace ranvier::api::client_server {
namespace {

/// Standard base64 with padding, the form TURN servers compare passwords in.
std::string padded_base64(std::string_view bytes) {
  std::string text = core::base64_encode(bytes);
  while (text.size() % 4 != 0) {
    text += '=';
  }
  return text;
}

std::string hmac_sha1(const std::string& key, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &size);
  return {reinterpret_cast<const char*>(mac), size};
}

}  // namespace

ApiResponse getTurnServer(RequestContext& ctx, const GetTurnServerRequest&) {
  const auto& turn = ctx.services.config.turn;
  if (turn.uris.empty()) {
    return json_response(nlohmann::json::object());
  }
  nlohmann::json out = {{"uris", turn.uris}};
  if (turn.shared_secret) {
    const std::int64_t ttl_seconds = static_cast<std::int64_t>(turn.user_lifetime_ms / 1000);
    const std::int64_t expiry = now_ms() / 1000 + ttl_seconds;
    const std::string username = std::to_string(expiry) + ":" + ctx.principal->user_id;
    out["username"] = username;
    out["password"] = padded_base64(hmac_sha1(*turn.shared_secret, username));
    out["ttl"] = ttl_seconds;
  } else if (turn.username) {
    out["username"] = *turn.username;
    out["password"] = *turn.password;
    out["ttl"] = static_cast<std::int64_t>(turn.user_lifetime_ms / 1000);
  } else {
    // URIs without credentials (e.g. STUN only): Synapse hands them out with empty ones.
    out["username"] = "";
    out["password"] = "";
    out["ttl"] = static_cast<std::int64_t>(turn.user_lifetime_ms / 1000);
  }
  return json_response(out);
}

}  // namespace ranvier::api::client_server
