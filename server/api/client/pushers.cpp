// GET /pushers and POST /pushers/set (client-server API, "Push Notifications: Pushers",
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3pushersset). A pusher
// belongs to the device whose token set it, so logging that device out removes it. HTTP
// pushers must name a push gateway's notify endpoint.

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t max_app_id = 64;
constexpr std::size_t max_pushkey = 512;
constexpr std::string_view notify_path = "/_matrix/push/v1/notify";

nlohmann::json pusher_json(const storage::Pusher& p) {
  nlohmann::json out = {{"app_display_name", p.app_display_name},
                        {"app_id", p.app_id},
                        {"data", nlohmann::json::parse(p.data)},
                        {"device_display_name", p.device_display_name},
                        {"kind", p.kind},
                        {"lang", p.lang},
                        {"pushkey", p.pushkey}};
  if (p.profile_tag) {
    out["profile_tag"] = *p.profile_tag;
  }
  return out;
}

/// True for an http(s) URL with a host and exactly the notify path (a query is allowed).
bool is_notify_url(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const auto slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) {
    return false;
  }
  const auto authority = rest.substr(0, slash);
  if (authority.find_first_of(" @?#") != std::string_view::npos) {
    return false;
  }
  auto path = rest.substr(slash);
  path = path.substr(0, path.find_first_of("?#"));
  return path == notify_path;
}

/// The checks of a pusher to create or update; throws the spec's errors.
void check_pusher(const PostPusherRequest& req, const std::string& kind) {
  if (kind != "http" && kind != "email") {
    throw MatrixError(ErrCode::invalid_param, "Unknown pusher kind " + kind);
  }
  if (!req.app_display_name || !req.device_display_name || !req.lang || !req.data) {
    throw MatrixError(ErrCode::missing_param,
                      "app_display_name, device_display_name, lang and data are required");
  }
  if (!req.data->is_object()) {
    throw MatrixError(ErrCode::invalid_param, "data must be an object");
  }
  if (kind == "http") {
    const auto url = req.data->find("url");
    if (url == req.data->end()) {
      throw MatrixError(ErrCode::missing_param, "data.url is required for http pushers");
    }
    if (!url->is_string() || !is_notify_url(url->get_ref<const std::string&>())) {
      throw MatrixError(ErrCode::invalid_param,
                        "data.url must be an http(s) URL with the path " + std::string(notify_path));
    }
  }
  if (kind == "email") {
    // This server binds no third-party identifiers, so there is no address to mail to.
    throw MatrixError(ErrCode::invalid_param, "Email pushers need an email address bound to the account");
  }
}

}  // namespace

ApiResponse getPushers(RequestContext& ctx, const GetPushersRequest&) {
  auto pushers = ctx.services.database.read(
      [&](storage::ReadTx& tx) { return tx.pushers().list(ctx.principal->user_id); });
  auto out = nlohmann::json::array();
  for (const auto& pusher : pushers) {
    out.push_back(pusher_json(pusher));
  }
  return json_response({{"pushers", out}});
}

ApiResponse postPusher(RequestContext& ctx, const PostPusherRequest& req) {
  if (req.app_id.empty() || req.app_id.size() > max_app_id) {
    throw MatrixError(ErrCode::invalid_param, "app_id must be 1 to 64 characters");
  }
  if (req.pushkey.empty() || req.pushkey.size() > max_pushkey) {
    throw MatrixError(ErrCode::invalid_param, "pushkey must be 1 to 512 bytes");
  }
  const auto& user = ctx.principal->user_id;
  if (req.kind.is_null()) {
    ctx.services.database.write([&](storage::WriteTx& tx) { tx.pushers().remove(user, req.app_id, req.pushkey); });
    return json_response(nlohmann::json::object());
  }
  if (!req.kind.is_string()) {
    throw MatrixError(ErrCode::invalid_param, "kind must be a string or null");
  }
  const auto kind = req.kind.get<std::string>();
  check_pusher(req, kind);
  storage::Pusher pusher{.user_id = user,
                         .app_id = req.app_id,
                         .pushkey = req.pushkey,
                         .device_id = ctx.principal->device_id,
                         .kind = kind,
                         .app_display_name = *req.app_display_name,
                         .device_display_name = *req.device_display_name,
                         .profile_tag = req.profile_tag,
                         .lang = *req.lang,
                         .data = req.data->dump(),
                         .created_ts = now_ms()};
  ctx.services.database.write([&](storage::WriteTx& tx) {
    if (!req.append.value_or(false)) {
      tx.pushers().remove_for_others(req.app_id, req.pushkey, user);
    }
    tx.pushers().put(pusher);
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
