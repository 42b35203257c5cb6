// /_matrix/client/v3/room_keys/version[/{version}] and /room_keys/keys[/{roomId}[/{sessionId}]]
// (client-server API, "Server-side key backups"): backup versions per user and the encrypted
// Megolm session keys in them. Keys go only into the newest version; of two copies of a session
// key the server keeps the better one by the spec's order (verified, then lower first message
// index, then fewer forwards). Every key change gives the version a new etag.

#include "api/client/key_signatures.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "storage/database.hpp"

#include <charconv>

namespace ranvier::api::client_server {
namespace {

using storage::BackedUpRoomKey;
using storage::RoomKeyScope;

/// A version number from the path or query; nullopt for anything that names no version.
std::optional<std::int64_t> parse_version(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

[[noreturn]] void unknown_version() { throw MatrixError(ErrCode::not_found, "Unknown backup version"); }

nlohmann::json version_json(const storage::BackupVersion& v, std::int64_t count) {
  return {{"algorithm", v.algorithm},
          {"auth_data", nlohmann::json::parse(v.auth_data)},
          {"count", count},
          {"etag", std::to_string(v.etag)},
          {"version", std::to_string(v.version)}};
}

nlohmann::json key_json(const BackedUpRoomKey& key) {
  return {{"first_message_index", key.first_message_index},
          {"forwarded_count", key.forwarded_count},
          {"is_verified", key.is_verified},
          {"session_data", nlohmann::json::parse(key.session_data)}};
}

/// True when `candidate` should replace `existing` (client-server API, "Server-side key
/// backups": storing keys).
bool better_than(const BackedUpRoomKey& candidate, const BackedUpRoomKey& existing) {
  if (candidate.is_verified != existing.is_verified) {
    return candidate.is_verified;
  }
  if (candidate.first_message_index != existing.first_message_index) {
    return candidate.first_message_index < existing.first_message_index;
  }
  return candidate.forwarded_count < existing.forwarded_count;
}

BackedUpRoomKey parse_key(const std::string& room_id, const std::string& session_id, const nlohmann::json& data) {
  if (!data.is_object()) {
    throw MatrixError(ErrCode::bad_json, "Key data must be an object");
  }
  const auto number = [&](const char* field) {
    const auto& value = data.value(field, nlohmann::json());
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      throw MatrixError(ErrCode::bad_json, std::string(field) + " must be a non-negative integer");
    }
    return value.get<std::int64_t>();
  };
  const auto& verified = data.value("is_verified", nlohmann::json());
  const auto& session_data = data.value("session_data", nlohmann::json());
  if (!verified.is_boolean() || !session_data.is_object()) {
    throw MatrixError(ErrCode::bad_json, "is_verified must be a boolean and session_data an object");
  }
  return BackedUpRoomKey{.room_id = room_id,
                         .session_id = session_id,
                         .first_message_index = number("first_message_index"),
                         .forwarded_count = number("forwarded_count"),
                         .is_verified = verified.get<bool>(),
                         .session_data = session_data.dump()};
}

/// Keys from a `{"rooms": {room: {"sessions": {session: data}}}}` or `{"sessions": ...}` body.
void parse_sessions(const std::string& room_id, const nlohmann::json& sessions, std::vector<BackedUpRoomKey>& out) {
  if (!sessions.is_object()) {
    throw MatrixError(ErrCode::bad_json, "sessions must be an object");
  }
  for (const auto& [session_id, data] : sessions.items()) {
    out.push_back(parse_key(room_id, session_id, data));
  }
}

std::vector<BackedUpRoomKey> parse_rooms(const nlohmann::json& rooms) {
  if (!rooms.is_object()) {
    throw MatrixError(ErrCode::bad_json, "rooms must be an object");
  }
  std::vector<BackedUpRoomKey> keys;
  for (const auto& [room_id, room] : rooms.items()) {
    if (!room.is_object() || !room.contains("sessions")) {
      throw MatrixError(ErrCode::bad_json, "Each room needs sessions");
    }
    parse_sessions(room_id, room["sessions"], keys);
  }
  return keys;
}

/// Stores keys into the current version, keeping better copies that are there already.
ApiResponse put_keys(RequestContext& ctx, std::string_view version_text, const std::vector<BackedUpRoomKey>& keys) {
  const std::string& user_id = ctx.principal->user_id;
  const auto version = parse_version(version_text);
  return ctx.services.database.write([&](storage::WriteTx& tx) {
    auto current = tx.key_backup().latest_version(user_id);
    if (!current) {
      unknown_version();
    }
    if (!version || *version != current->version) {
      return json_response(error_body("M_WRONG_ROOM_KEYS_VERSION", "Wrong backup version",
                                      {{"current_version", std::to_string(current->version)}}),
                           403);
    }
    bool changed = false;
    for (const auto& key : keys) {
      auto existing = tx.key_backup().keys(user_id, current->version, {key.room_id, key.session_id});
      if (existing.empty() || better_than(key, existing.front())) {
        tx.key_backup().put_key(user_id, current->version, key);
        changed = true;
      }
    }
    if (changed) {
      tx.key_backup().bump_etag(user_id, current->version);
    }
    const auto after = tx.key_backup().version(user_id, current->version);
    return json_response({{"etag", std::to_string(after->etag)},
                          {"count", tx.key_backup().count(user_id, current->version)}});
  });
}

/// The live version named by `version_text`, or M_NOT_FOUND.
storage::BackupVersion live_version(storage::ReadTx& tx, std::string_view user_id, std::string_view version_text) {
  const auto version = parse_version(version_text);
  auto found = version ? tx.key_backup().version(user_id, *version) : std::nullopt;
  if (!found) {
    unknown_version();
  }
  return *found;
}

std::vector<BackedUpRoomKey> get_keys(RequestContext& ctx, std::string_view version_text, const RoomKeyScope& scope) {
  const std::string& user_id = ctx.principal->user_id;
  return ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto version = live_version(tx, user_id, version_text);
    return tx.key_backup().keys(user_id, version.version, scope);
  });
}

nlohmann::json sessions_json(const std::vector<BackedUpRoomKey>& keys) {
  nlohmann::json sessions = nlohmann::json::object();
  for (const auto& key : keys) {
    sessions[key.session_id] = key_json(key);
  }
  return sessions;
}

ApiResponse delete_keys(RequestContext& ctx, std::string_view version_text, const RoomKeyScope& scope) {
  const std::string& user_id = ctx.principal->user_id;
  return ctx.services.database.write([&](storage::WriteTx& tx) {
    const auto version = live_version(tx, user_id, version_text);
    if (tx.key_backup().delete_keys(user_id, version.version, scope) > 0) {
      tx.key_backup().bump_etag(user_id, version.version);
    }
    const auto after = tx.key_backup().version(user_id, version.version);
    return json_response({{"etag", std::to_string(after->etag)},
                          {"count", tx.key_backup().count(user_id, version.version)}});
  });
}

void check_auth_data(const nlohmann::json& auth_data) {
  if (!auth_data.is_object()) {
    throw MatrixError(ErrCode::bad_json, "auth_data must be an object");
  }
}

}  // namespace

ApiResponse postRoomKeysVersion(RequestContext& ctx, const PostRoomKeysVersionRequest& req) {
  check_auth_data(req.auth_data);
  const auto version = ctx.services.database.write([&](storage::WriteTx& tx) {
    return tx.key_backup().create_version(ctx.principal->user_id, req.algorithm, req.auth_data.dump());
  });
  return json_response({{"version", std::to_string(version)}});
}

ApiResponse getRoomKeysVersionCurrent(RequestContext& ctx, const GetRoomKeysVersionCurrentRequest&) {
  const std::string& user_id = ctx.principal->user_id;
  auto body = ctx.services.database.read([&](storage::ReadTx& tx) -> std::optional<nlohmann::json> {
    auto current = tx.key_backup().latest_version(user_id);
    if (!current) {
      return std::nullopt;
    }
    return version_json(*current, tx.key_backup().count(user_id, current->version));
  });
  if (!body) {
    throw MatrixError(ErrCode::not_found, "No current backup version");
  }
  return json_response(*body);
}

ApiResponse getRoomKeysVersion(RequestContext& ctx, const GetRoomKeysVersionRequest& req) {
  const std::string& user_id = ctx.principal->user_id;
  return json_response(ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto version = live_version(tx, user_id, req.version);
    return version_json(version, tx.key_backup().count(user_id, version.version));
  }));
}

ApiResponse putRoomKeysVersion(RequestContext& ctx, const PutRoomKeysVersionRequest& req) {
  check_auth_data(req.auth_data);
  if (req.version_body && *req.version_body != req.version) {
    throw MatrixError(ErrCode::invalid_param, "The version in the body does not match the path");
  }
  const std::string& user_id = ctx.principal->user_id;
  ctx.services.database.write([&](storage::WriteTx& tx) {
    const auto version = live_version(tx, user_id, req.version);
    if (version.algorithm != req.algorithm) {
      throw MatrixError(ErrCode::invalid_param, "The algorithm of a backup version cannot change");
    }
    tx.key_backup().update_version(user_id, version.version, req.auth_data.dump());
  });
  return json_response(nlohmann::json::object());
}

ApiResponse deleteRoomKeysVersion(RequestContext& ctx, const DeleteRoomKeysVersionRequest& req) {
  const auto version = parse_version(req.version);
  const bool deleted = version && ctx.services.database.write([&](storage::WriteTx& tx) {
    return tx.key_backup().delete_version(ctx.principal->user_id, *version);
  });
  if (!deleted) {
    unknown_version();
  }
  return json_response(nlohmann::json::object());
}

ApiResponse putRoomKeys(RequestContext& ctx, const PutRoomKeysRequest& req) {
  return put_keys(ctx, req.version, parse_rooms(req.rooms));
}

ApiResponse putRoomKeysByRoomId(RequestContext& ctx, const PutRoomKeysByRoomIdRequest& req) {
  std::vector<BackedUpRoomKey> keys;
  parse_sessions(req.room_id, req.sessions, keys);
  return put_keys(ctx, req.version, keys);
}

ApiResponse putRoomKeyBySessionId(RequestContext& ctx, const PutRoomKeyBySessionIdRequest& req) {
  return put_keys(ctx, req.version, {parse_key(req.room_id, req.session_id, req.body)});
}

ApiResponse getRoomKeys(RequestContext& ctx, const GetRoomKeysRequest& req) {
  nlohmann::json rooms = nlohmann::json::object();
  for (const auto& key : get_keys(ctx, req.version, {})) {
    rooms[key.room_id]["sessions"][key.session_id] = key_json(key);
  }
  return json_response({{"rooms", std::move(rooms)}});
}

ApiResponse getRoomKeysByRoomId(RequestContext& ctx, const GetRoomKeysByRoomIdRequest& req) {
  return json_response({{"sessions", sessions_json(get_keys(ctx, req.version, {req.room_id}))}});
}

ApiResponse getRoomKeyBySessionId(RequestContext& ctx, const GetRoomKeyBySessionIdRequest& req) {
  auto keys = get_keys(ctx, req.version, {req.room_id, req.session_id});
  if (keys.empty()) {
    throw MatrixError(ErrCode::not_found, "No key for this session");
  }
  return json_response(key_json(keys.front()));
}

ApiResponse deleteRoomKeys(RequestContext& ctx, const DeleteRoomKeysRequest& req) {
  return delete_keys(ctx, req.version, {});
}

ApiResponse deleteRoomKeysByRoomId(RequestContext& ctx, const DeleteRoomKeysByRoomIdRequest& req) {
  return delete_keys(ctx, req.version, {req.room_id});
}

ApiResponse deleteRoomKeyBySessionId(RequestContext& ctx, const DeleteRoomKeyBySessionIdRequest& req) {
  return delete_keys(ctx, req.version, {req.room_id, req.session_id});
}

}  // namespace ranvier::api::client_server
