// GET /_matrix/client/v3/profile/{userId}, GET/PUT/DELETE /_matrix/client/v3/profile/{userId}/{keyName}
// Spec: client-server API, "Profiles". A profile is one JSON object per user, at most 64 KiB.
// Profiles of users on other servers need federation (/query/profile), which is not there yet:
// they are answered like unknown users.

#include "api/client/appservice_query.hpp"
#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"
#include "rooms/errors.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t max_profile_bytes = 64 * 1024;
constexpr std::size_t max_key_bytes = 255;

/// The profile of a local user; throws M_NOT_FOUND for unknown (or remote) users.
nlohmann::json load_profile(RequestContext& ctx, const std::string& user_id) {
  const auto read = [&] {
    return ctx.services.database.read([&](storage::ReadTx& tx) {
      auto account = tx.accounts().get(user_id);
      std::optional<std::string> profile;
      if (account && !account->deactivated) {
        profile = tx.profiles().get(user_id).value_or("{}");
      }
      return profile;
    });
  };
  auto found = read();
  // Application service API, "Querying": a bridge may create the user when asked.
  if (!found && ask_appservices_about_user(ctx, user_id)) {
    found = read();
  }
  if (!found) {
    throw MatrixError(ErrCode::not_found, "Profile not found");
  }
  return nlohmann::json::parse(*found);
}

/// Only the user may change their own profile.
void check_may_edit(const RequestContext& ctx, const std::string& user_id) {
  if (ctx.principal->user_id != user_id) {
    throw MatrixError(ErrCode::forbidden, "You cannot change another user's profile");
  }
}

/// The name and avatar shown in rooms live in each room's member event: a change sends a new
/// join event to every room the user is in (in the same transaction as the profile change).
void update_member_events(RequestContext& ctx, storage::WriteTx& tx, const std::string& user_id) {
  for (const auto& member : tx.rooms().rooms_for_user(user_id, storage::Membership::join)) {
    rooms::EventDraft draft{.type = "m.room.member", .sender = user_id, .state_key = user_id,
                            .content = member_content(tx, user_id, "join")};
    try {
      ctx.services.pipeline.send(tx, member.room_id, draft);
    } catch (const rooms::RoomError& e) {
      // A room whose rules refuse the update keeps the old name; the profile still changes.
      std::fprintf(stderr, "ranvier: member event update of %s in %s refused: %s\n", user_id.c_str(),
                   member.room_id.c_str(), e.what());
    }
  }
}

bool shown_in_rooms(const std::string& key) { return key == "displayname" || key == "avatar_url"; }

/// Applies `change` to the stored profile in one transaction that locks it.
template <class Change>
void update_profile(RequestContext& ctx, const std::string& user_id, const std::string& key, Change&& change) {
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    if (!tx.accounts().lock(user_id)) {
      throw MatrixError(ErrCode::not_found, "Profile not found");
    }
    auto profile = nlohmann::json::parse(tx.profiles().get(user_id).value_or("{}"));
    change(profile);
    std::string text = profile.dump();
    if (text.size() > max_profile_bytes) {
      throw MatrixError(ErrCode::profile_too_large, "The profile would be larger than 64 KiB");
    }
    tx.profiles().put(user_id, text);
    if (shown_in_rooms(key)) {
      update_member_events(ctx, tx, user_id);
    }
  });
}

}  // namespace

ApiResponse getUserProfile(RequestContext& ctx, const GetUserProfileRequest& req) {
  return json_response(load_profile(ctx, req.user_id));
}

ApiResponse getProfileField(RequestContext& ctx, const GetProfileFieldRequest& req) {
  auto profile = load_profile(ctx, req.user_id);
  if (!profile.contains(req.key_name)) {
    throw MatrixError(ErrCode::not_found, "The user has no " + req.key_name);
  }
  return json_response({{req.key_name, profile[req.key_name]}});
}

ApiResponse setProfileField(RequestContext& ctx, const SetProfileFieldRequest& req) {
  check_may_edit(ctx, req.user_id);
  if (ctx.principal->is_guest && req.key_name != "displayname") {
    throw MatrixError(ErrCode::guest_access_forbidden, "Guest accounts may only set a display name");
  }
  if (req.key_name.size() > max_key_bytes) {
    throw MatrixError(ErrCode::key_too_large, "Profile keys are at most 255 bytes");
  }
  if (!req.body.contains(req.key_name)) {
    throw MatrixError(ErrCode::missing_param, "The body must contain " + req.key_name);
  }
  const auto& value = req.body[req.key_name];
  // The spec types the defined keys; null is stored as null (servers SHOULD, not delete).
  if ((req.key_name == "displayname" || req.key_name == "avatar_url" || req.key_name == "m.tz") &&
      !value.is_string() && !value.is_null()) {
    throw MatrixError(ErrCode::bad_json, req.key_name + " must be a string");
  }
  if (req.key_name == "avatar_url" && value.is_string() && !value.get_ref<const std::string&>().empty() &&
      !value.get_ref<const std::string&>().starts_with("mxc://")) {
    throw MatrixError(ErrCode::bad_json, "avatar_url must be an mxc:// URI");
  }
  update_profile(ctx, req.user_id, req.key_name, [&](nlohmann::json& profile) { profile[req.key_name] = value; });
  return json_response(nlohmann::json::object());
}

ApiResponse deleteProfileField(RequestContext& ctx, const DeleteProfileFieldRequest& req) {
  check_may_edit(ctx, req.user_id);
  update_profile(ctx, req.user_id, req.key_name, [&](nlohmann::json& profile) { profile.erase(req.key_name); });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
