// Queries other servers make about this one's users and aliases (server-server API, "Query
// information"): GET /_matrix/federation/v1/query/profile, /query/directory, and the generic
// /query/{queryType} for the same two.
// https://spec.matrix.org/latest/server-server-api/#query-information

#include "api/errors.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"

#include <set>

namespace ranvier::api::server_server {
namespace {

/// The user must be one of this server's.
void check_local(const RequestContext& ctx, const std::string& id, const char* what) {
  if (core::server_name_of(id) != ctx.services.identity.server_name) {
    throw MatrixError(ErrCode::invalid_param, std::string(what) + " " + id + " is not of this server");
  }
}

}  // namespace

ApiResponse queryProfile(RequestContext& ctx, const QueryProfileRequest& req) {
  origin_of(ctx);
  if (!core::parse_user_id(req.user_id)) {
    throw MatrixError(ErrCode::invalid_param, "Not a valid user ID: " + req.user_id);
  }
  check_local(ctx, req.user_id, "The user");
  auto profile = ctx.services.database.read([&](storage::ReadTx& tx) -> std::optional<nlohmann::json> {
    auto account = tx.accounts().get(req.user_id);
    if (!account || account->deactivated) {
      return std::nullopt;
    }
    auto parsed = nlohmann::json::parse(tx.profiles().get(req.user_id).value_or("{}"), nullptr, false);
    return parsed.is_object() ? parsed : nlohmann::json::object();
  });
  if (!profile) {
    throw MatrixError(ErrCode::not_found, "No user " + req.user_id);
  }
  if (req.field) {
    nlohmann::json one = nlohmann::json::object();
    if (profile->contains(*req.field)) {
      one[*req.field] = (*profile)[*req.field];
    }
    return json_response(one);
  }
  return json_response(*profile);
}

ApiResponse queryRoomDirectory(RequestContext& ctx, const QueryRoomDirectoryRequest& req) {
  origin_of(ctx);
  if (!core::parse_room_alias(req.room_alias)) {
    throw MatrixError(ErrCode::invalid_param, "Not a valid room alias: " + req.room_alias);
  }
  check_local(ctx, req.room_alias, "The alias");
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto alias = tx.rooms().alias(req.room_alias);
    if (!alias) {
      throw MatrixError(ErrCode::not_found, "Room alias " + req.room_alias + " not found");
    }
    // This server first: it answered, so it is known to be reachable.
    std::vector<std::string> servers{ctx.services.identity.server_name};
    std::set<std::string> listed(servers.begin(), servers.end());
    for (auto& server : tx.rooms().joined_servers(alias->room_id)) {
      if (listed.insert(server).second) {
        servers.push_back(std::move(server));
      }
    }
    return nlohmann::json{{"room_id", alias->room_id}, {"servers", servers}};
  });
  return json_response(body);
}

ApiResponse queryInfo(RequestContext& ctx, const QueryInfoRequest& req) {
  origin_of(ctx);
  auto param = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& [key, value] : ctx.query) {
      if (key == name) {
        return value;
      }
    }
    return std::nullopt;
  };
  auto required = [&](std::string_view name) {
    auto value = param(name);
    if (!value) {
      throw MatrixError(ErrCode::missing_param, "Missing query parameter " + std::string(name));
    }
    return *value;
  };
  if (req.query_type == "profile") {
    QueryProfileRequest profile;
    profile.user_id = required("user_id");
    profile.field = param("field");
    return queryProfile(ctx, profile);
  }
  if (req.query_type == "directory") {
    QueryRoomDirectoryRequest directory;
    directory.room_alias = required("room_alias");
    return queryRoomDirectory(ctx, directory);
  }
  throw MatrixError(ErrCode::unrecognized, "Unknown query type " + req.query_type);
}

}  // namespace ranvier::api::server_server
