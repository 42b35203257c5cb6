// Joining, inviting, leaving, kicking, banning, unbanning, forgetting, and the member lists
// (client-server API, "Room membership"). Every change is an m.room.member event through the
// pipeline; the auth rules decide who may do what.

#include "api/client/appservice_query.hpp"
#include "api/client/remote_join.hpp"
#include "api/client/remote_membership.hpp"
#include "api/client/room_access.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "core/identifiers.hpp"
#include "rooms/history_visibility.hpp"
#include "rooms/state_content.hpp"

#include <algorithm>

namespace ranvier::api::client_server {
namespace {

void check_guest_may_join(RequestContext& ctx, const std::string& room_id);

/// Where a join or knock happens: here, when one of this server's users is in the room (or
/// nobody elsewhere is), else through the room's other servers.
struct JoinTarget {
  RemoteRoom room;
  bool local = false;
};

JoinTarget join_target(RequestContext& ctx, const std::string& id_or_alias, const std::vector<std::string>& via) {
  const auto& own = ctx.services.pipeline.server_name();
  JoinTarget target;
  target.room.servers = via;
  // `server_name` is the name `via` had before spec v1.12; clients still send it.
  for (const auto& [key, value] : ctx.query) {
    if (key == "server_name") {
      target.room.servers.push_back(value);
    }
  }
  std::string room_id = id_or_alias;
  if (id_or_alias.starts_with("#")) {
    auto alias = find_local_alias(ctx, id_or_alias);
    if (alias) {
      room_id = alias->room_id;
    } else {
      auto remote = resolve_remote_alias(ctx, id_or_alias);
      room_id = remote.room_id;
      target.room.servers.insert(target.room.servers.end(), remote.servers.begin(), remote.servers.end());
    }
  } else if (!id_or_alias.starts_with("!")) {
    throw MatrixError(ErrCode::invalid_param, "Not a room ID or alias: " + id_or_alias);
  }
  target.room.room_id = room_id;
  struct Known {
    std::vector<std::string> joined_servers;
    bool has_state = false;
    std::optional<std::string> inviter_server;
  };
  const auto known = ctx.services.database.read([&](storage::ReadTx& tx) -> std::optional<Known> {
    if (!tx.rooms().get(room_id)) {
      return std::nullopt;
    }
    Known k{tx.rooms().joined_servers(room_id),
            tx.rooms().current_state_event(room_id, {"m.room.create", ""}).has_value(), std::nullopt};
    // Invited over federation: the inviting server is in the room.
    if (auto member = tx.rooms().membership(room_id, ctx.principal->user_id);
        member && member->membership == storage::Membership::invite) {
      if (auto invite = tx.events().get_row(member->event_id)) {
        k.inviter_server = std::string(core::server_name_of(invite->sender));
      }
    }
    return k;
  });
  if (known) {
    const auto& servers = known->joined_servers;
    const bool we_are_in = std::find(servers.begin(), servers.end(), own) != servers.end();
    // Nobody joined anywhere: the room is ours to rejoin if we hold its state (a room made
    // here that everyone left), else it is only known through an invite.
    target.local = we_are_in || (servers.empty() && known->has_state);
    if (known->inviter_server) {
      target.room.servers.push_back(*known->inviter_server);
    }
    target.room.servers.insert(target.room.servers.end(), servers.begin(), servers.end());
  }
  // Room IDs before version 12 name the server that created the room.
  if (const auto colon = room_id.find(':'); colon != std::string::npos) {
    target.room.servers.push_back(room_id.substr(colon + 1));
  }
  if (!known && target.room.servers.empty()) {
    throw MatrixError(ErrCode::not_found, "This server does not know the room " + room_id);
  }
  return target;
}

/// Joins the caller to the room `id_or_alias` names, here or through another server.
std::string join(RequestContext& ctx, const std::string& id_or_alias, const std::vector<std::string>& via,
                 const std::optional<std::string>& reason) {
  const auto& user_id = ctx.principal->user_id;
  auto target = join_target(ctx, id_or_alias, via);
  // An admin shut the room down (DELETE /_synapse/admin/v2/rooms/{roomId} with block).
  if (ctx.services.database.read([&](storage::ReadTx& tx) { return tx.admin().is_room_blocked(target.room.room_id); })) {
    throw MatrixError(ErrCode::forbidden, "This room has been blocked on this server");
  }
  if (target.local) {
    check_guest_may_join(ctx, target.room.room_id);
    change_membership(ctx, target.room.room_id, user_id, "join", reason);
  } else {
    if (ctx.principal->is_guest) {
      throw MatrixError(ErrCode::guest_access_forbidden, "Guests may only join rooms this server is in");
    }
    auto content = ctx.services.database.read(
        [&](storage::ReadTx& tx) { return member_content(tx, user_id, "join", reason); });
    join_remote_room(ctx, target.room, user_id, content);
  }
  return target.room.room_id;
}

ApiResponse joined(const std::string& room_id) { return json_response({{"room_id", room_id}}); }

/// Spec: "Guest Access" → "Server behaviour": guests join only rooms whose m.room.guest_access
/// is `can_join`.
void check_guest_may_join(RequestContext& ctx, const std::string& room_id) {
  if (!ctx.principal->is_guest) {
    return;
  }
  const bool allowed = ctx.services.database.read([&](storage::ReadTx& tx) {
    return rooms::current_state_string(tx, room_id, "m.room.guest_access", "guest_access") == "can_join";
  });
  if (!allowed) {
    throw MatrixError(ErrCode::guest_access_forbidden, "Guests may not join this room");
  }
}

}  // namespace

ApiResponse joinRoomById(RequestContext& ctx, const JoinRoomByIdRequest& req) {
  return joined(join(ctx, req.room_id, {}, req.reason));
}

ApiResponse joinRoom(RequestContext& ctx, const JoinRoomRequest& req) {
  return joined(join(ctx, req.room_id_or_alias, req.via, req.reason));
}

ApiResponse knockRoom(RequestContext& ctx, const KnockRoomRequest& req) {
  const auto& user_id = ctx.principal->user_id;
  auto target = join_target(ctx, req.room_id_or_alias, req.via);
  if (target.local) {
    change_membership(ctx, target.room.room_id, user_id, "knock", req.reason);
  } else {
    auto content = ctx.services.database.read(
        [&](storage::ReadTx& tx) { return member_content(tx, user_id, "knock", req.reason); });
    knock_remote_room(ctx, target.room, user_id, content);
  }
  return joined(target.room.room_id);
}

ApiResponse inviteUser(RequestContext& ctx, const InviteUserRequest& req) {
  auto target = checked_user_id(req.user_id);
  auto current = ctx.services.database.read([&](storage::ReadTx& tx) {
    room_version(tx, req.room_id);
    require_joined(tx, req.room_id, ctx.principal->user_id);
    return tx.rooms().membership(req.room_id, target);
  });
  if (current && current->membership == storage::Membership::ban) {
    throw MatrixError(ErrCode::forbidden, target + " is banned from the room");
  }
  if (current && current->membership == storage::Membership::join) {
    throw MatrixError(ErrCode::forbidden, target + " is already in the room");
  }
  if (core::server_name_of(target) != ctx.services.pipeline.server_name()) {
    nlohmann::json content = {{"membership", "invite"}};
    if (req.reason) {
      content["reason"] = *req.reason;
    }
    invite_remote_user(ctx, req.room_id, target, content);
  } else {
    change_membership(ctx, req.room_id, target, "invite", req.reason);
  }
  return json_response(nlohmann::json::object());
}

ApiResponse leaveRoom(RequestContext& ctx, const LeaveRoomRequest& req) {
  const auto& user = ctx.principal->user_id;
  std::optional<RemoteRoom> elsewhere;
  auto current = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto member = tx.rooms().membership(req.room_id, user);
    // Invited or knocking over federation, with nothing of the room here: the leave (the
    // spec's "Rejecting invites") goes through the room's servers.
    if (member && (member->membership == storage::Membership::invite || member->membership == storage::Membership::knock) &&
        known_out_of_band(tx, req.room_id)) {
      elsewhere = RemoteRoom{req.room_id, out_of_band_servers(tx, req.room_id, user)};
    }
    return member;
  });
  // Leaving a room one already left is a no-op for Synapse and clients rely on it.
  if (current && current->membership == storage::Membership::leave) {
    return json_response(nlohmann::json::object());
  }
  if (elsewhere) {
    leave_remote_room(ctx, *elsewhere, user, req.reason);
    return json_response(nlohmann::json::object());
  }
  change_membership(ctx, req.room_id, user, "leave", req.reason);
  return json_response(nlohmann::json::object());
}

ApiResponse kick(RequestContext& ctx, const KickRequest& req) {
  auto target = checked_user_id(req.user_id);
  auto current = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.rooms().membership(req.room_id, target); });
  // The auth rules would let a moderator "kick" someone who already left; Synapse refuses.
  if (!current || (current->membership != storage::Membership::join && current->membership != storage::Membership::invite &&
                   current->membership != storage::Membership::knock)) {
    throw MatrixError(ErrCode::forbidden, target + " is not in the room");
  }
  change_membership(ctx, req.room_id, target, "leave", req.reason);
  return json_response(nlohmann::json::object());
}

ApiResponse ban(RequestContext& ctx, const BanRequest& req) {
  change_membership(ctx, req.room_id, checked_user_id(req.user_id), "ban", req.reason);
  return json_response(nlohmann::json::object());
}

ApiResponse unban(RequestContext& ctx, const UnbanRequest& req) {
  auto target = checked_user_id(req.user_id);
  auto current = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.rooms().membership(req.room_id, target); });
  if (!current || current->membership != storage::Membership::ban) {
    throw MatrixError(ErrCode::bad_state, target + " is not banned");
  }
  change_membership(ctx, req.room_id, target, "leave", req.reason);
  return json_response(nlohmann::json::object());
}

ApiResponse forgetRoom(RequestContext& ctx, const ForgetRoomRequest& req) {
  const auto& user = ctx.principal->user_id;
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    auto member = tx.rooms().membership(req.room_id, user);
    if (member && member->membership != storage::Membership::leave && member->membership != storage::Membership::ban) {
      throw MatrixError(ErrCode::unknown, user + " has not left the room " + req.room_id);
    }
    tx.rooms().forget(req.room_id, user);
  });
  return json_response(nlohmann::json::object());
}

ApiResponse getJoinedRooms(RequestContext& ctx, const GetJoinedRoomsRequest&) {
  auto rooms = ctx.services.database.read(
      [&](storage::ReadTx& tx) { return tx.rooms().rooms_for_user(ctx.principal->user_id, storage::Membership::join); });
  auto ids = nlohmann::json::array();
  for (const auto& member : rooms) {
    ids.push_back(member.room_id);
  }
  return json_response({{"joined_rooms", ids}});
}

ApiResponse getMembersByRoom(RequestContext& ctx, const GetMembersByRoomRequest& req) {
  const auto& user = ctx.principal->user_id;
  auto parse_filter = [](const std::optional<std::string>& name) -> std::optional<storage::Membership> {
    if (!name) {
      return std::nullopt;
    }
    auto m = storage::parse_membership(*name);
    if (!m) {
      throw MatrixError(ErrCode::invalid_param, "Unknown membership " + *name);
    }
    return m;
  };
  const auto only = parse_filter(req.membership);
  const auto except = parse_filter(req.not_membership);
  auto chunk = ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto& version = room_version(tx, req.room_id);
    rooms::HistoryVisibility visibility(tx, req.room_id, user);
    const auto& member = visibility.membership();
    storage::StateMap members;
    if (member && member->membership == storage::Membership::join) {
      members = tx.rooms().current_state_of_type(req.room_id, "m.room.member");
    } else if (member && (member->membership == storage::Membership::leave ||
                          member->membership == storage::Membership::ban)) {
      // Former members see the member list as it was when they left.
      if (auto group = tx.state().event_state_group(member->event_id)) {
        for (auto& [key, id] : tx.state().state_map(*group)) {
          if (key.type == "m.room.member") {
            members.emplace(key, id);
          }
        }
      }
    } else if (visibility.may_read_room()) {
      members = tx.rooms().current_state_of_type(req.room_id, "m.room.member");
    } else {
      throw MatrixError(ErrCode::forbidden, user + " is not in the room " + req.room_id);
    }
    if (req.at) {
      // The member list as of a sync or pagination token (never past what the caller may see:
      // a former member's list stops at their leaving).
      std::optional<storage::StoredEvent> last;
      if (auto sync = SyncToken::parse(*req.at)) {
        auto found = tx.events().room_events(req.room_id, 0, sync->events, storage::Direction::backward, 1);
        if (!found.empty()) last = found.front();
      } else if (auto topo = TopologicalToken::parse(*req.at)) {
        auto found = tx.events().room_messages(req.room_id, {topo->depth, topo->stream},
                                               storage::Direction::backward, 1);
        if (!found.empty()) last = found.front();
      } else {
        throw MatrixError(ErrCode::invalid_param, "Unknown token in at");
      }
      const bool former = member && member->membership != storage::Membership::join;
      if (last && (!former || last->stream <= member->stream)) {
        members.clear();
        if (auto group = tx.state().event_state_group(last->event_id)) {
          for (auto& [key, id] : tx.state().state_map(*group)) {
            if (key.type == "m.room.member") {
              members.emplace(key, id);
            }
          }
        }
      }
    }
    std::vector<std::string> ids;
    for (const auto& [key, id] : members) {
      ids.push_back(id);
    }
    auto list = nlohmann::json::array();
    for (const auto& event : tx.events().get_many(ids)) {
      auto served = serve_event(tx, event, version);
      auto membership = storage::parse_membership(served["content"].value("membership", ""));
      // With both filters an entry passes when it matches either (as Synapse reads the spec).
      const bool passes_only = only && membership == only;
      const bool passes_except = except && membership != except;
      if ((only || except) && !passes_only && !passes_except) {
        continue;
      }
      list.push_back(std::move(served));
    }
    return list;
  });
  return json_response({{"chunk", chunk}});
}

ApiResponse getJoinedMembersByRoom(RequestContext& ctx, const GetJoinedMembersByRoomRequest& req) {
  auto joined_map = ctx.services.database.read([&](storage::ReadTx& tx) {
    room_version(tx, req.room_id);
    require_joined(tx, req.room_id, ctx.principal->user_id);
    std::vector<std::string> ids;
    for (const auto& member : tx.rooms().members(req.room_id, storage::Membership::join)) {
      ids.push_back(member.event_id);
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& event : tx.events().get_many(ids)) {
      auto pdu = nlohmann::json::parse(event.json);
      const auto& content = pdu["content"];
      nlohmann::json entry = nlohmann::json::object();
      if (content.contains("displayname") && content["displayname"].is_string()) {
        entry["display_name"] = content["displayname"];
      }
      if (content.contains("avatar_url") && content["avatar_url"].is_string()) {
        entry["avatar_url"] = content["avatar_url"];
      }
      out[event.state_key.value_or("")] = entry;
    }
    return out;
  });
  return json_response({{"joined", joined_map}});
}

}  // namespace ranvier::api::client_server
