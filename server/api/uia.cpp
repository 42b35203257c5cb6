#include "api/uia.hpp"

#include "api/context.hpp"
#include "api/json_response.hpp"
#include "api/password_hash.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

namespace ranvier::api {
namespace {

std::string new_session_id() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

/// The user a password stage names: `identifier` (m.id.user) or the deprecated `user`.
std::string named_user(const nlohmann::json& auth, const std::string& server_name) {
  std::string user;
  if (auth.contains("identifier") && auth["identifier"].is_object()) {
    const auto& id = auth["identifier"];
    if (id.value("type", "") == "m.id.user" && id.contains("user") && id["user"].is_string()) {
      user = id["user"].get<std::string>();
    }
  } else if (auth.contains("user") && auth["user"].is_string()) {
    user = auth["user"].get<std::string>();
  }
  if (!user.empty() && !user.starts_with("@")) {
    user = "@" + user + ":" + server_name;
  }
  return user;
}

}  // namespace

ApiResponse uia_challenge(std::string_view stage, const std::optional<nlohmann::json>& auth,
                          std::string_view errcode, std::string_view error) {
  std::string session;
  if (auth && auth->is_object() && auth->contains("session") && (*auth)["session"].is_string()) {
    session = (*auth)["session"].get<std::string>();
  } else {
    session = new_session_id();
  }
  nlohmann::json body{{"flows", {{{"stages", {stage}}}}},
                      {"params", nlohmann::json::object()},
                      {"session", session},
                      {"completed", nlohmann::json::array()}};
  if (!errcode.empty()) {
    body["errcode"] = errcode;
    body["error"] = error;
  }
  return json_response(body, 401);
}

std::string_view uia_stage_of(const std::optional<nlohmann::json>& auth) {
  if (!auth || !auth->is_object() || !auth->contains("type") || !(*auth)["type"].is_string()) {
    return {};
  }
  return (*auth)["type"].get_ref<const std::string&>();
}

std::optional<ApiResponse> require_password_stage(RequestContext& ctx, const std::optional<nlohmann::json>& auth) {
  constexpr std::string_view stage = "m.login.password";
  if (uia_stage_of(auth) != stage) {
    return uia_challenge(stage, auth);
  }
  const std::string& user_id = ctx.principal->user_id;
  const std::string named = named_user(*auth, ctx.services.config.server_name);
  const auto& password = (*auth).value("password", nlohmann::json());
  if ((!named.empty() && named != user_id) || !password.is_string()) {
    return uia_challenge(stage, auth, "M_FORBIDDEN", "Invalid username or password");
  }
  auto account = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.accounts().get(user_id); });
  if (!account || !account->password_hash ||
      !verify_password(password.get_ref<const std::string&>(), *account->password_hash)) {
    return uia_challenge(stage, auth, "M_FORBIDDEN", "Invalid username or password");
  }
  return std::nullopt;
}

}  // namespace ranvier::api
