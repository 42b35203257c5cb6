// Synapse's room admin API, reading side (docs/admin_api/rooms.md in element-hq/synapse):
// list rooms, room details, members, forward extremities, block status. Admin only.
// Rooms are summarised from their current state on every call and sorted in memory, which
// suits servers with thousands of rooms, not millions.

#include "api/admin/admin_common.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "rooms/state_content.hpp"
#include "storage/database.hpp"

#include <algorithm>
#include <array>

namespace ranvier::api::admin {
namespace {

nlohmann::json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json create_content(storage::ReadTx& tx, const std::string& room_id) {
  const auto id = tx.rooms().current_state_event(room_id, {"m.room.create", ""});
  const auto event = id ? tx.events().get(*id) : std::nullopt;
  if (!event) {
    return nlohmann::json::object();
  }
  auto pdu = nlohmann::json::parse(event->json, nullptr, false);
  return pdu.is_object() && pdu.contains("content") && pdu["content"].is_object() ? pdu["content"]
                                                                                   : nlohmann::json::object();
}

/// The fields Synapse gives for a room in its list and details answers.
nlohmann::json room_summary(storage::ReadTx& tx, const storage::Room& room, const std::string& server_name) {
  const auto joined = tx.rooms().members(room.room_id, storage::Membership::join);
  const std::string suffix = ":" + server_name;
  const auto local = std::count_if(joined.begin(), joined.end(),
                                   [&](const storage::RoomMember& m) { return m.user_id.ends_with(suffix); });
  const auto create = create_content(tx, room.room_id);
  const auto text = [&](std::string_view type, const char* field) {
    return optional_json(rooms::current_state_string(tx, room.room_id, type, field));
  };
  const auto federate = create.find("m.federate");
  return {{"room_id", room.room_id},
          {"name", text("m.room.name", "name")},
          {"topic", text("m.room.topic", "topic")},
          {"avatar", text("m.room.avatar", "url")},
          {"canonical_alias", text("m.room.canonical_alias", "alias")},
          {"joined_members", joined.size()},
          {"joined_local_members", local},
          {"version", room.room_version},
          {"creator", room.creator},
          {"encryption", text("m.room.encryption", "algorithm")},
          {"federatable", federate == create.end() || !federate->is_boolean() || federate->get<bool>()},
          {"public", room.is_public},
          {"join_rules", text("m.room.join_rules", "join_rule")},
          {"guest_access", text("m.room.guest_access", "guest_access")},
          {"history_visibility", text("m.room.history_visibility", "history_visibility")},
          {"state_events", tx.rooms().current_state(room.room_id).size()},
          {"room_type", create.contains("type") && create["type"].is_string() ? create["type"] : nlohmann::json(nullptr)}};
}

storage::Room existing_room(storage::ReadTx& tx, const std::string& room_id) {
  auto room = tx.rooms().get(room_id);
  if (!room) {
    throw MatrixError(ErrCode::not_found, "Room not found");
  }
  return *room;
}

/// How GET /rooms orders: by a summary field (Synapse's order_by names), ties by room ID.
bool ordered_before(const nlohmann::json& a, const nlohmann::json& b, const std::string& key) {
  const auto& x = a[key];
  const auto& y = b[key];
  if (x != y) {
    // Nulls (rooms without a name) go after every value.
    if (x.is_null() || y.is_null()) {
      return y.is_null();
    }
    return x < y;
  }
  return a["room_id"] < b["room_id"];
}

const std::string& order_key(const std::string& order_by) {
  static const std::map<std::string, std::string, std::less<>> keys{
      {"alphabetical", "name"},      {"name", "name"},
      {"size", "joined_members"},    {"joined_members", "joined_members"},
      {"joined_local_members", "joined_local_members"},
      {"version", "version"},        {"creator", "creator"},
      {"encryption", "encryption"},  {"federatable", "federatable"},
      {"public", "public"},          {"join_rules", "join_rules"},
      {"guest_access", "guest_access"}, {"history_visibility", "history_visibility"},
      {"state_events", "state_events"}, {"canonical_alias", "canonical_alias"},
  };
  const auto it = keys.find(order_by);
  if (it == keys.end()) {
    throw MatrixError(ErrCode::invalid_param, "Unknown value for order_by: " + order_by);
  }
  return it->second;
}

bool matches(const nlohmann::json& room, const std::string& term) {
  const auto contains = [&](const nlohmann::json& value) {
    if (!value.is_string()) {
      return false;
    }
    std::string text = value.get<std::string>();
    std::string wanted = term;
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    std::transform(wanted.begin(), wanted.end(), wanted.begin(), [](unsigned char c) { return std::tolower(c); });
    return text.find(wanted) != std::string::npos;
  };
  return contains(room["name"]) || contains(room["canonical_alias"]) || room["room_id"] == term;
}

ApiResponse list_rooms(RequestContext& ctx) {
  require_admin(ctx);
  const auto from = query_count(ctx, "from", 0);
  const auto limit = query_count(ctx, "limit", 100);
  const std::string& key = order_key(query_value(ctx, "order_by").value_or("name"));
  const auto dir = query_value(ctx, "dir").value_or("f");
  if (dir != "f" && dir != "b") {
    throw MatrixError(ErrCode::invalid_param, "dir must be f or b");
  }
  const auto term = query_value(ctx, "search_term");
  if (term && term->empty()) {
    throw MatrixError(ErrCode::invalid_param, "search_term cannot be empty");
  }
  auto rooms = ctx.services.database.read([&](storage::ReadTx& tx) {
    std::vector<nlohmann::json> all;
    for (const auto& room_id : tx.admin().all_room_ids()) {
      if (auto room = tx.rooms().get(room_id)) {
        auto summary = room_summary(tx, *room, ctx.services.config.server_name);
        if (!term || matches(summary, *term)) {
          all.push_back(std::move(summary));
        }
      }
    }
    return all;
  });
  // Synapse's default order is by size, biggest first; `name` sorts A to Z.
  const bool size_like = key == "joined_members" || key == "joined_local_members" || key == "state_events";
  std::stable_sort(rooms.begin(), rooms.end(),
                   [&](const auto& a, const auto& b) { return ordered_before(a, b, key); });
  if (size_like != (dir == "b")) {
    std::reverse(rooms.begin(), rooms.end());
  }
  const auto total = static_cast<std::int64_t>(rooms.size());
  nlohmann::json page = nlohmann::json::array();
  for (std::int64_t i = from; i < total && i < from + limit; ++i) {
    page.push_back(std::move(rooms[static_cast<std::size_t>(i)]));
  }
  nlohmann::json body{{"rooms", std::move(page)}, {"offset", from}, {"total_rooms", total}};
  if (from + limit < total) {
    body["next_batch"] = from + limit;
  }
  if (from > 0) {
    body["prev_batch"] = std::max<std::int64_t>(0, from - limit);
  }
  return json_response(body);
}

ApiResponse room_details(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  return json_response(ctx.services.database.read([&](storage::ReadTx& tx) {
    auto summary = room_summary(tx, existing_room(tx, room_id), ctx.services.config.server_name);
    summary["forward_extremities"] = tx.rooms().forward_extremities(room_id).size();
    summary["blocked"] = tx.admin().is_room_blocked(room_id);
    return summary;
  }));
}

ApiResponse room_members(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  return json_response(ctx.services.database.read([&](storage::ReadTx& tx) {
    existing_room(tx, room_id);
    nlohmann::json members = nlohmann::json::array();
    for (const auto& member : tx.rooms().members(room_id, storage::Membership::join)) {
      members.push_back(member.user_id);
    }
    const auto total = members.size();
    return nlohmann::json{{"members", std::move(members)}, {"total", total}};
  }));
}

ApiResponse forward_extremities(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  return json_response(ctx.services.database.read([&](storage::ReadTx& tx) {
    existing_room(tx, room_id);
    nlohmann::json results = nlohmann::json::array();
    for (const auto& event_id : tx.rooms().forward_extremities(room_id)) {
      const auto event = tx.events().get(event_id);
      results.push_back({{"event_id", event_id},
                         {"state_group", tx.state().event_state_group(event_id).value_or(0)},
                         {"depth", event ? event->depth : 0},
                         {"received_ts", event ? event->origin_server_ts : 0}});
    }
    const auto count = results.size();
    return nlohmann::json{{"count", count}, {"results", std::move(results)}};
  }));
}

ApiResponse get_block(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  const bool blocked = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.admin().is_room_blocked(room_id); });
  return json_response({{"block", blocked}});
}

ApiResponse put_block(RequestContext& ctx) {
  require_admin(ctx);
  const auto room_id = room_id_param(ctx, 0);
  const auto block = optional_bool(object_body(ctx), "block");
  if (!block) {
    throw MatrixError(ErrCode::missing_param, "block is required");
  }
  ctx.services.database.write([&](storage::WriteTx& tx) {
    if (*block) {
      tx.admin().block_room(room_id, ctx.principal->user_id, now_ms());
    } else {
      tx.admin().unblock_room(room_id);
    }
  });
  return json_response({{"block", *block}});
}

constexpr std::array<Operation, 6> operations{{
    admin_operation("GET", "/_synapse/admin/v1/rooms", "synapse.admin.listRooms", &list_rooms),
    admin_operation("GET", "/_synapse/admin/v1/rooms/{roomId}", "synapse.admin.getRoom", &room_details),
    admin_operation("GET", "/_synapse/admin/v1/rooms/{roomId}/members", "synapse.admin.getRoomMembers", &room_members),
    admin_operation("GET", "/_synapse/admin/v1/rooms/{roomId}/forward_extremities",
                    "synapse.admin.getForwardExtremities", &forward_extremities),
    admin_operation("GET", "/_synapse/admin/v1/rooms/{roomId}/block", "synapse.admin.getRoomBlock", &get_block),
    admin_operation("PUT", "/_synapse/admin/v1/rooms/{roomId}/block", "synapse.admin.setRoomBlock", &put_block),
}};

}  // namespace

std::span<const Operation> room_operations() { return operations; }

}  // namespace ranvier::api::admin
