// Account data (global and per room), room tags and filters:
//   GET/PUT /_matrix/client/v3/user/{userId}/account_data/{type}
//   GET/PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
//   GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags, PUT/DELETE .../tags/{tag}
//   POST /_matrix/client/v3/user/{userId}/filter, GET .../filter/{filterId}
// Spec: client-server API, "Client Config", "Room Tagging", "Filtering". Users reach only
// their own data. Tags are the room account data type m.tag.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api::client_server {
namespace {

constexpr std::string_view global = "";

void check_own(const RequestContext& ctx, const std::string& user_id) {
  if (ctx.principal->user_id != user_id) {
    throw MatrixError(ErrCode::forbidden, "You can only reach your own account data");
  }
}

/// The spec's room paths do not all declare the room ID format, so it is checked here.
const std::string& checked_room(const std::string& room_id) {
  if (!core::is_valid_room_id(room_id)) {
    throw MatrixError(ErrCode::invalid_param, "'" + room_id + "' is not a room ID");
  }
  return room_id;
}

/// Spec: these types are written by the server (read markers, push rules), never by clients.
void check_client_writable(const std::string& type) {
  if (type == "m.fully_read" || type == "m.push_rules") {
    throw MatrixError(ErrCode::server_owned_account_data, type + " is managed by the server");
  }
}

ApiResponse read(RequestContext& ctx, const std::string& user_id, std::string_view room_id, const std::string& type) {
  check_own(ctx, user_id);
  auto content = ctx.services.database.read(
      [&](storage::ReadTx& tx) { return tx.account_data().get(user_id, room_id, type); });
  if (!content) {
    throw MatrixError(ErrCode::not_found, "No account data of type " + type);
  }
  ApiResponse r;
  r.body = std::move(*content);
  return r;
}

ApiResponse write(RequestContext& ctx, const std::string& user_id, std::string_view room_id, const std::string& type,
                  const nlohmann::json& content) {
  check_own(ctx, user_id);
  check_client_writable(type);
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.account_data().put(user_id, room_id, type, content.dump());
  });
  return json_response(nlohmann::json::object());
}

/// Changes the room's m.tag content under the user's lock, so concurrent tag edits keep each other.
template <class Change>
void update_tags(RequestContext& ctx, const std::string& user_id, const std::string& room_id, Change&& change) {
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.accounts().lock(user_id);
    auto stored = tx.account_data().get(user_id, room_id, "m.tag");
    auto content = stored ? nlohmann::json::parse(*stored) : nlohmann::json{{"tags", nlohmann::json::object()}};
    if (!content.contains("tags") || !content["tags"].is_object()) {
      content["tags"] = nlohmann::json::object();
    }
    change(content["tags"]);
    tx.account_data().put(user_id, room_id, "m.tag", content.dump());
  });
}

}  // namespace

ApiResponse getAccountData(RequestContext& ctx, const GetAccountDataRequest& req) {
  return read(ctx, req.user_id, global, req.type);
}

ApiResponse setAccountData(RequestContext& ctx, const SetAccountDataRequest& req) {
  return write(ctx, req.user_id, global, req.type, req.body);
}

ApiResponse getAccountDataPerRoom(RequestContext& ctx, const GetAccountDataPerRoomRequest& req) {
  return read(ctx, req.user_id, checked_room(req.room_id), req.type);
}

ApiResponse setAccountDataPerRoom(RequestContext& ctx, const SetAccountDataPerRoomRequest& req) {
  return write(ctx, req.user_id, checked_room(req.room_id), req.type, req.body);
}

ApiResponse getRoomTags(RequestContext& ctx, const GetRoomTagsRequest& req) {
  check_own(ctx, req.user_id);
  checked_room(req.room_id);
  auto stored = ctx.services.database.read(
      [&](storage::ReadTx& tx) { return tx.account_data().get(req.user_id, req.room_id, "m.tag"); });
  auto tags = nlohmann::json::object();
  if (stored) {
    auto content = nlohmann::json::parse(*stored);
    if (content.contains("tags") && content["tags"].is_object()) {
      tags = content["tags"];
    }
  }
  return json_response({{"tags", tags}});
}

ApiResponse setRoomTag(RequestContext& ctx, const SetRoomTagRequest& req) {
  check_own(ctx, req.user_id);
  checked_room(req.room_id);
  if (req.tag.size() > 255) {
    throw MatrixError(ErrCode::invalid_param, "Tags are at most 255 bytes");
  }
  update_tags(ctx, req.user_id, req.room_id, [&](nlohmann::json& tags) { tags[req.tag] = req.body; });
  return json_response(nlohmann::json::object());
}

ApiResponse deleteRoomTag(RequestContext& ctx, const DeleteRoomTagRequest& req) {
  check_own(ctx, req.user_id);
  checked_room(req.room_id);
  update_tags(ctx, req.user_id, req.room_id, [&](nlohmann::json& tags) { tags.erase(req.tag); });
  return json_response(nlohmann::json::object());
}

ApiResponse defineFilter(RequestContext& ctx, const DefineFilterRequest& req) {
  check_own(ctx, req.user_id);
  auto id = ctx.services.database.write(
      [&](storage::WriteTx& tx) { return tx.account_data().create_filter(req.user_id, req.body.dump()); });
  return json_response({{"filter_id", id}});
}

ApiResponse getFilter(RequestContext& ctx, const GetFilterRequest& req) {
  check_own(ctx, req.user_id);
  auto filter = ctx.services.database.read(
      [&](storage::ReadTx& tx) { return tx.account_data().filter(req.user_id, req.filter_id); });
  if (!filter) {
    throw MatrixError(ErrCode::not_found, "No such filter");
  }
  ApiResponse r;
  r.body = std::move(*filter);
  return r;
}

}  // namespace ranvier::api::client_server
