// Room aliases and the public room directory (client-server API, "Room aliases", "Listing
// rooms"). Only this server's aliases and rooms: asking other servers needs federation.

#include "api/client/appservice_auth.hpp"
#include "api/client/appservice_query.hpp"
#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "core/auth/power_levels.hpp"
#include "core/identifiers.hpp"
#include "rooms/history_visibility.hpp"
#include "rooms/state_content.hpp"

#include <algorithm>
#include <cctype>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t max_directory_page = 500;

std::string checked_alias(const std::string& alias) {
  if (!core::parse_room_alias(alias)) {
    throw MatrixError(ErrCode::invalid_param, "Not a valid room alias: " + alias);
  }
  return alias;
}

std::string server_of(const std::string& id) { return id.substr(id.find(':') + 1); }

/// The caller's power level against the level needed for a state event of `type`.
bool may_send_state(storage::ReadTx& tx, const std::string& room_id, const std::string& user, const std::string& type) {
  const auto& version = room_version(tx, room_id);
  rooms::TxEventSource events(tx);
  auto levels = rooms::current_power_levels(tx, events, room_id, version);
  return levels && levels->user_level(user) >= levels->event_level(type, true);
}

/// A PublishedRoomsChunk entry.
nlohmann::json directory_entry(storage::ReadTx& tx, const storage::Room& room) {
  const auto& id = room.room_id;
  nlohmann::json entry = {
      {"room_id", id},
      {"num_joined_members", tx.rooms().members(id, storage::Membership::join).size()},
      {"world_readable", rooms::current_history_visibility(tx, id) == "world_readable"},
      {"guest_can_join", rooms::current_state_string(tx, id, "m.room.guest_access", "guest_access") == "can_join"},
      {"join_rule", rooms::current_state_string(tx, id, "m.room.join_rules", "join_rule").value_or("public")}};
  if (auto name = rooms::current_state_string(tx, id, "m.room.name", "name")) entry["name"] = *name;
  if (auto topic = rooms::current_state_string(tx, id, "m.room.topic", "topic")) entry["topic"] = *topic;
  if (auto alias = rooms::current_state_string(tx, id, "m.room.canonical_alias", "alias")) entry["canonical_alias"] = *alias;
  if (auto avatar = rooms::current_state_string(tx, id, "m.room.avatar", "url")) entry["avatar_url"] = *avatar;
  if (auto type = rooms::current_state_string(tx, id, "m.room.create", "type")) entry["room_type"] = *type;
  return entry;
}

bool contains_folded(const nlohmann::json& entry, const std::string& needle) {
  auto fold = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  const auto term = fold(needle);
  for (const char* key : {"name", "topic", "canonical_alias"}) {
    if (entry.contains(key) && fold(entry[key].get<std::string>()).find(term) != std::string::npos) {
      return true;
    }
  }
  return false;
}

/// One page of the local directory: `since` is the last room ID of the previous page.
nlohmann::json directory_page(RequestContext& ctx, const std::optional<std::string>& server,
                              std::optional<std::int64_t> limit, const std::optional<std::string>& since,
                              const std::string& search_term) {
  if (server && *server != ctx.services.identity.server_name) {
    throw MatrixError(ErrCode::invalid_param, "Other servers' directories need federation, which is not there yet");
  }
  if (limit && *limit < 0) {
    throw MatrixError(ErrCode::invalid_param, "limit must not be negative");
  }
  const std::size_t page_size = limit ? std::min<std::size_t>(*limit, max_directory_page) : max_directory_page;
  std::string after;
  if (since) {
    if (!since->starts_with("n")) {
      throw MatrixError(ErrCode::invalid_param, "Unknown directory token");
    }
    after = since->substr(1);
  }
  return ctx.services.database.read([&](storage::ReadTx& tx) {
    auto chunk = nlohmann::json::array();
    std::string last;
    bool more = false;
    std::size_t total = 0;
    for (const auto& room : tx.rooms().public_rooms("", max_directory_page * 20)) {
      auto entry = directory_entry(tx, room);
      if (!search_term.empty() && !contains_folded(entry, search_term)) {
        continue;
      }
      ++total;
      if (room.room_id <= after && !after.empty()) {
        continue;
      }
      if (chunk.size() == page_size) {
        more = true;
        continue;
      }
      last = room.room_id;
      chunk.push_back(std::move(entry));
    }
    nlohmann::json out = {{"chunk", chunk}, {"total_room_count_estimate", total}};
    if (more) {
      out["next_batch"] = "n" + last;
    }
    if (!after.empty()) {
      out["prev_batch"] = "p" + after;
    }
    return out;
  });
}

}  // namespace

ApiResponse getRoomIdByAlias(RequestContext& ctx, const GetRoomIdByAliasRequest& req) {
  auto alias = checked_alias(req.room_alias);
  auto found = find_local_alias(ctx, alias);
  if (!found) {
    throw MatrixError(ErrCode::not_found, "Room alias " + alias + " not found");
  }
  return json_response({{"room_id", found->room_id}, {"servers", nlohmann::json::array({ctx.services.identity.server_name})}});
}

ApiResponse setRoomAlias(RequestContext& ctx, const SetRoomAliasRequest& req) {
  auto alias = checked_alias(req.room_alias);
  if (server_of(alias) != ctx.services.identity.server_name) {
    throw MatrixError(ErrCode::invalid_param, "Aliases of other servers cannot be created here");
  }
  check_alias_not_reserved(ctx, alias);
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    if (!tx.rooms().get(req.room_id)) {
      throw MatrixError(ErrCode::not_found, "Unknown room " + req.room_id);
    }
    if (tx.rooms().create_alias({alias, req.room_id, ctx.principal->user_id}) == storage::CreateResult::exists) {
      throw MatrixError(ErrCode::conflict, "Room alias " + alias + " already exists");
    }
  });
  return json_response(nlohmann::json::object());
}

ApiResponse deleteRoomAlias(RequestContext& ctx, const DeleteRoomAliasRequest& req) {
  auto alias = checked_alias(req.room_alias);
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    auto found = tx.rooms().alias(alias);
    if (!found) {
      throw MatrixError(ErrCode::not_found, "Room alias " + alias + " not found");
    }
    // The creator, a server admin, or someone who may change the room's canonical alias.
    const auto& user = ctx.principal->user_id;
    if (found->creator != user && !ctx.principal->is_admin &&
        !may_send_state(tx, found->room_id, user, "m.room.canonical_alias")) {
      throw MatrixError(ErrCode::forbidden, "You may not delete this alias");
    }
    tx.rooms().remove_alias(alias);
  });
  return json_response(nlohmann::json::object());
}

ApiResponse getLocalAliases(RequestContext& ctx, const GetLocalAliasesRequest& req) {
  auto aliases = ctx.services.database.read([&](storage::ReadTx& tx) {
    room_version(tx, req.room_id);
    rooms::HistoryVisibility visibility(tx, req.room_id, ctx.principal->user_id);
    const auto& member = visibility.membership();
    const bool joined = member && member->membership == storage::Membership::join;
    if (!joined && rooms::current_history_visibility(tx, req.room_id) != "world_readable") {
      throw MatrixError(ErrCode::forbidden, "You are not in the room");
    }
    return tx.rooms().aliases_of(req.room_id);
  });
  return json_response({{"aliases", aliases}});
}

ApiResponse getRoomVisibilityOnDirectory(RequestContext& ctx, const GetRoomVisibilityOnDirectoryRequest& req) {
  auto room = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.rooms().get(req.room_id); });
  if (!room) {
    throw MatrixError(ErrCode::not_found, "Unknown room " + req.room_id);
  }
  return json_response({{"visibility", room->is_public ? "public" : "private"}});
}

ApiResponse setRoomVisibilityOnDirectory(RequestContext& ctx, const SetRoomVisibilityOnDirectoryRequest& req) {
  const auto visibility = req.visibility.value_or("public");
  if (visibility != "public" && visibility != "private") {
    throw MatrixError(ErrCode::invalid_param, "visibility must be public or private");
  }
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    if (!tx.rooms().get(req.room_id)) {
      throw MatrixError(ErrCode::not_found, "Unknown room " + req.room_id);
    }
    const auto& user = ctx.principal->user_id;
    require_joined(tx, req.room_id, user);
    if (!ctx.principal->is_admin && !may_send_state(tx, req.room_id, user, "m.room.canonical_alias")) {
      throw MatrixError(ErrCode::forbidden, "You may not publish this room");
    }
    tx.rooms().set_public(req.room_id, visibility == "public");
  });
  return json_response(nlohmann::json::object());
}

ApiResponse getPublicRooms(RequestContext& ctx, const GetPublicRoomsRequest& req) {
  return json_response(directory_page(ctx, req.server, req.limit, req.since, ""));
}

ApiResponse queryPublicRooms(RequestContext& ctx, const QueryPublicRoomsRequest& req) {
  std::string term;
  if (req.filter && req.filter->is_object() && req.filter->contains("generic_search_term") &&
      (*req.filter)["generic_search_term"].is_string()) {
    term = (*req.filter)["generic_search_term"].get<std::string>();
  }
  return json_response(directory_page(ctx, req.server, req.limit, req.since, term));
}

}  // namespace ranvier::api::client_server
