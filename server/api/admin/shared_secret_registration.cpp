// GET/POST /_synapse/admin/v1/register: Synapse's shared-secret registration, which SyTest,
// Complement and operators' scripts use to create (admin) users. Not part of the Matrix spec.
// The MAC is HMAC-SHA1 keyed with the shared secret over
// nonce \0 username \0 password \0 ("admin" | "notadmin") [\0 user_type], in lower-case hex.

#include "api/client/sessions.hpp"
#include "api/context.hpp"
#include "api/errors.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/json_response.hpp"
#include "api/nonce_store.hpp"
#include "api/services.hpp"
#include "api/validation.hpp"
#include "config/config.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace ranvier::api {
namespace {

const std::string& shared_secret(const RequestContext& ctx) {
  const auto& secret = ctx.services.config.registration_shared_secret;
  if (!secret || secret->empty()) {
    throw MatrixError(ErrCode::forbidden, "Shared secret registration is not enabled");
  }
  return *secret;
}

std::string hmac_sha1_hex(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), digest, &length);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

ApiResponse get_nonce(RequestContext& ctx) {
  shared_secret(ctx);
  return json_response({{"nonce", ctx.services.nonces.issue()}});
}

const validation::BodySchema& register_schema() {
  static const validation::BodySchema schema(R"({"type": "object",
    "required": ["nonce", "username", "password", "mac"],
    "properties": {"nonce": {"type": "string"}, "username": {"type": "string"},
      "password": {"type": "string"}, "admin": {"type": "boolean"},
      "displayname": {"type": "string"}, "user_type": {"type": "string"}, "mac": {"type": "string"}}})");
  return schema;
}

ApiResponse register_with_secret(RequestContext& ctx) {
  const std::string& secret = shared_secret(ctx);
  const auto body = validation::parse_body(ctx.request.body, register_schema(), true);
  const auto nonce = body["nonce"].get<std::string>();
  const auto username = body["username"].get<std::string>();
  const auto password = body["password"].get<std::string>();
  const bool admin = body.value("admin", false);
  if (!ctx.services.nonces.consume(nonce)) {
    throw MatrixError(ErrCode::invalid_param, "Unrecognised or expired nonce");
  }
  std::string message = nonce + '\0' + username + '\0' + password + '\0' + (admin ? "admin" : "notadmin");
  if (body.contains("user_type")) {
    message += '\0' + body["user_type"].get<std::string>();
  }
  const std::string expected = hmac_sha1_hex(secret, message);
  const auto given = body["mac"].get<std::string>();
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    throw MatrixError(ErrCode::forbidden, "HMAC incorrect");
  }
  check_new_localpart(ctx.services, username);
  storage::Account account;
  account.user_id = "@" + username + ":" + ctx.services.config.server_name;
  account.password_hash = hash_password(password, password_cost(ctx.services));
  account.is_admin = admin;
  account.created_ts = now_ms();
  auto login = ctx.services.database.write([&](storage::WriteTx& tx) {
    if (tx.accounts().create(account) == storage::CreateResult::exists) {
      throw MatrixError(ErrCode::user_in_use, "User ID already taken");
    }
    create_initial_profile(tx, account.user_id, body.value("displayname", username));
    return log_device_in(tx, account.user_id, std::nullopt, std::nullopt, ctx.request.remote_address);
  });
  return json_response(login_response(ctx.services, login));
}

bool always() { return true; }

const std::array<Operation, 2> extensions{{
    {ApiFamily::client_server, "GET", "/_synapse/admin/v1/register", "synapse.getRegistrationNonce",
     AuthRequirement::none, AuthScheme::none, false, false, "(Synapse admin API)", &get_nonce, &always},
    {ApiFamily::client_server, "POST", "/_synapse/admin/v1/register", "synapse.registerWithSharedSecret",
     AuthRequirement::none, AuthScheme::none, true, false, "(Synapse admin API)", &register_with_secret, &always},
}};

}  // namespace

std::span<const Operation> admin::shared_secret_operations() { return extensions; }

}  // namespace ranvier::api
