// GET /_matrix/client/v3/capabilities
// Spec: client-server API, "Capabilities negotiation". Each capability says what this server
// does today, so clients do not offer what would fail.

#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "core/room_version.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {

ApiResponse getCapabilities(RequestContext& ctx, const GetCapabilitiesRequest& req) {
  auto available = nlohmann::json::object();
  for (const auto& version : core::known_room_versions()) {
    available[std::string(version.id)] = "stable";
  }
  const auto disabled = nlohmann::json{{"enabled", false}};
  return json_response({{"capabilities",
                         {
                             {"m.change_password", {{"enabled", true}}},
                             {"m.room_versions", {{"default", core::default_room_version}, {"available", available}}},
                             {"m.set_displayname", {{"enabled", true}}},
                             {"m.set_avatar_url", {{"enabled", true}}},
                             {"m.profile_fields", {{"enabled", true}}},
                             // Third-party IDs and login tokens are not implemented yet.
                             {"m.3pid_changes", disabled},
                             {"m.get_login_token", disabled},
                         }}});
}

}  // namespace ranvier::api::client_server
