// GET /_matrix/client/v3/capabilities
// Spec: client-server API, "Capabilities negotiation". Each capability says what this server
// does today, so clients do not offer what would fail.

#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/room_version.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {

ApiResponse getCapabilities(RequestContext& ctx, const GetCapabilitiesRequest& req) {
  auto available = nlohmann::json::object();
  for (const auto& version : core::known_room_versions()) {
    available[std::string(version.id)] = "stable";
  }
  const auto disabled = nlohmann::json{{"enabled", false}};
  // Guests have no password to confirm a login token request with.
  const bool login_tokens = ctx.services.config.sessions.login_tokens && ctx.principal && !ctx.principal->is_guest;
  nlohmann::json body{{"capabilities",
                       {
                         {"m.change_password", {{"enabled", true}}},
                         {"m.room_versions", {{"default", core::default_room_version}, {"available", available}}},
                         {"m.set_displayname", {{"enabled", true}}},
                         {"m.set_avatar_url", {{"enabled", true}}},
                         {"m.profile_fields", {{"enabled", true}}},
                         // Third-party IDs are not implemented yet.
                         {"m.3pid_changes", disabled},
                         {"m.get_login_token", {{"enabled", login_tokens}}},
                       }}};
  // Spec: m.account_moderation is omitted for users who may neither lock nor suspend; server
  // admins may do both (PUT /admin/lock and /admin/suspend).
  if (ctx.principal && ctx.principal->is_admin) {
    body["capabilities"]["m.account_moderation"] = {{"suspend", true}, {"lock", true}};
  }
  return json_response(body);
}

}  // namespace ranvier::api::client_server
