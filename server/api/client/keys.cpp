// POST /_matrix/client/v3/keys/upload, /keys/query, /keys/claim and GET /keys/changes
// (client-server API, "End-to-End Encryption", "Key management API"): device identity keys
// checked against their own signature, one-time keys handed out once each, fallback keys when
// those ran out, and the device-list changes between two sync tokens. Users of other servers
// are asked about through their servers (api/client/remote_keys.hpp).

#include "api/client/device_lists.hpp"
#include "api/client/key_signatures.hpp"
#include "api/client/local_keys.hpp"
#include "api/client/remote_keys.hpp"
#include "api/client/room_access.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/client/sync_e2ee.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "core/identifiers.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace ranvier::api::client_server {
namespace {

/// More one-time keys than any client uploads at once (olm keeps at most 100, and clients
/// top up to half of that); a bigger batch is refused rather than stored.
constexpr std::size_t max_one_time_keys_per_upload = 100;

/// `<algorithm>:<key id>` split in two; M_INVALID_PARAM for anything else.
std::pair<std::string, std::string> split_key_id(const std::string& full) {
  const auto colon = full.find(':');
  if (colon == 0 || colon == std::string::npos || colon + 1 == full.size()) {
    throw MatrixError(ErrCode::invalid_param, "Key IDs have the form <algorithm>:<key id>, not " + full);
  }
  return {full.substr(0, colon), full.substr(colon + 1)};
}

/// A one-time or fallback key is a string or a signed object.
void check_key_value(const std::string& id, const nlohmann::json& value) {
  if (!value.is_string() && !value.is_object()) {
    throw MatrixError(ErrCode::bad_json, "Key " + id + " must be a string or an object");
  }
}

/// The spec's recommended wait for other servers when the client gives no `timeout`, and a cap.
constexpr std::int64_t default_remote_timeout_ms = 10'000;
constexpr std::int64_t max_remote_timeout_ms = 60'000;

/// Checks one user ID of a query or claim and returns its server name.
std::string server_of_wanted(const std::string& user_id, const nlohmann::json& wanted,
                             nlohmann::json::value_t wanted_type) {
  checked_user_id(user_id);
  if (wanted.type() != wanted_type) {
    throw MatrixError(ErrCode::bad_json, "Unexpected value for " + user_id);
  }
  return core::parse_user_id(user_id)->server_name;
}

std::chrono::milliseconds remote_timeout(const std::optional<std::int64_t>& requested) {
  return std::chrono::milliseconds(
      std::clamp<std::int64_t>(requested.value_or(default_remote_timeout_ms), 0, max_remote_timeout_ms));
}

/// Adds each member of `from` (an object) to `into` (an object).
void merge_members(nlohmann::json& into, nlohmann::json& from) {
  for (auto& [key, value] : from.items()) {
    into[key] = std::move(value);
  }
}

/// Checks uploaded device keys: the caller's own user and device, the fields the spec requires,
/// and the signature of the device's own ed25519 key.
void check_device_keys(const nlohmann::json& keys, const Principal& caller) {
  if (!keys.is_object()) {
    throw MatrixError(ErrCode::bad_json, "device_keys must be an object");
  }
  for (const char* field : {"user_id", "device_id"}) {
    if (!keys.contains(field) || !keys[field].is_string()) {
      throw MatrixError(ErrCode::bad_json, std::string("device_keys.") + field + " must be a string");
    }
  }
  if (!keys.contains("algorithms") || !keys["algorithms"].is_array() || !keys.contains("keys") ||
      !keys["keys"].is_object() || !keys.contains("signatures") || !keys["signatures"].is_object()) {
    throw MatrixError(ErrCode::bad_json, "device_keys needs algorithms, keys and signatures");
  }
  if (keys["user_id"] != caller.user_id || keys["device_id"] != caller.device_id) {
    throw MatrixError(ErrCode::invalid_param, "device_keys must be for the calling user and device");
  }
  const std::string key_id = "ed25519:" + caller.device_id;
  const auto key = ed25519_key_in(keys["keys"], key_id);
  if (!key) {
    throw MatrixError(ErrCode::invalid_param, "device_keys.keys needs a valid " + key_id);
  }
  if (!has_valid_signature(keys, caller.user_id, key_id, *key)) {
    throw MatrixError(ErrCode::invalid_param, "device_keys are not signed by " + key_id);
  }
}

/// The parsed keys of an upload's `one_time_keys` or `fallback_keys` member.
std::vector<storage::DeviceKey> parse_keys(const std::optional<nlohmann::json>& member, std::string_view name) {
  std::vector<storage::DeviceKey> keys;
  if (!member || member->is_null()) {
    return keys;
  }
  if (!member->is_object()) {
    throw MatrixError(ErrCode::bad_json, std::string(name) + " must be an object");
  }
  for (const auto& [id, value] : member->items()) {
    check_key_value(id, value);
    auto [algorithm, key_id] = split_key_id(id);
    keys.push_back({std::move(algorithm), std::move(key_id), value.dump()});
  }
  return keys;
}

std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Appends the `device_keys` member of a /keys/query answer to `out` as JSON text. Stored device
/// keys are spliced in as they are, since parsing and re-encoding hundreds of them per query
/// would cost more than the rest of the request; only those with signatures stored apart are
/// re-encoded. Other servers' users (`remote`, already checked) follow the local ones.
/// Everything goes into one buffer sized up front: the answer for 100 users of 5 devices is over
/// 200 KiB, and growing or copying it showed up as page faults.
void append_device_keys(std::string& out, const std::vector<std::string>& users, const FoundKeys& found,
                        const std::map<std::string, std::set<std::string>>& wanted_devices,
                        std::string_view requester, const nlohmann::json& remote) {
  std::set<std::pair<std::string_view, std::string_view>> with_signatures;
  for (const auto& s : found.signatures) {
    with_signatures.emplace(s.target_user_id, s.target_key_id);
  }
  std::map<std::string_view, std::vector<const storage::DeviceKeys*>> per_user;
  std::size_t size = 0;
  for (const auto& user : users) {
    per_user[user];
    size += user.size() + 8;
  }
  for (const auto& device : found.devices) {
    const auto wanted = wanted_devices.find(device.user_id);
    if (wanted != wanted_devices.end() && !wanted->second.empty() && !wanted->second.contains(device.device_id)) {
      continue;
    }
    per_user[device.user_id].push_back(&device);
    size += device.key_json.size() + device.device_id.size() + device.display_name.value_or("").size() + 64;
  }
  out.reserve(out.size() + size + 64);
  out += '{';
  bool first_user = true;
  for (const auto& [user, devices] : per_user) {
    out += first_user ? "" : ",";
    first_user = false;
    out += json_text(std::string(user));
    out += ":{";
    bool first_device = true;
    for (const auto* device : devices) {
      out += first_device ? "" : ",";
      first_device = false;
      out += json_text(device->device_id);
      out += ':';
      if (with_signatures.contains({device->user_id, device->device_id})) {
        auto parsed = nlohmann::json::parse(device->key_json);
        merge_signatures(parsed, found.signatures, device->user_id, device->device_id, requester);
        out += json_text(parsed);
      } else {
        out += device->key_json;
      }
      if (device->display_name && out.back() == '}' && out[out.size() - 2] != '{') {
        out.pop_back();
        out += R"(,"unsigned":{"device_display_name":)";
        out += json_text(*device->display_name);
        out += "}}";
      }
    }
    out += '}';
  }
  for (const auto& [user, devices] : remote.items()) {
    out += first_user ? "" : ",";
    first_user = false;
    out += json_text(user);
    out += ':';
    out += json_text(devices);
  }
  out += '}';
}

}  // namespace

ApiResponse uploadKeys(RequestContext& ctx, const UploadKeysRequest& req) {
  const auto& caller = *ctx.principal;
  std::optional<std::string> device_keys;
  if (req.device_keys && !req.device_keys->is_null()) {
    check_device_keys(*req.device_keys, caller);
    // Stored compact and without `unsigned`, so /keys/query can splice the text in as it is.
    auto keys = *req.device_keys;
    keys.erase("unsigned");
    device_keys = keys.dump();
  }
  const auto one_time = parse_keys(req.one_time_keys, "one_time_keys");
  if (one_time.size() > max_one_time_keys_per_upload) {
    throw MatrixError(ErrCode::invalid_param, "At most " + std::to_string(max_one_time_keys_per_upload) +
                                                  " one-time keys per upload");
  }
  const auto fallback = parse_keys(req.fallback_keys, "fallback_keys");
  std::set<std::string> fallback_algorithms;
  for (const auto& key : fallback) {
    if (!fallback_algorithms.insert(key.algorithm).second) {
      throw MatrixError(ErrCode::invalid_param, "One fallback key per algorithm");
    }
  }
  auto counts = write_and_notify(ctx, [&](storage::WriteTx& tx) {
    auto& store = tx.e2e_keys();
    if (device_keys) {
      const auto stored = store.device_keys(caller.user_id, caller.device_id);
      if (stored != device_keys) {
        store.set_device_keys(caller.user_id, caller.device_id, *device_keys);
        announce_device_change(tx, ctx.services.identity.server_name, caller.user_id, caller.device_id);
      }
    }
    for (const auto& key : one_time) {
      if (store.add_one_time_key(caller.user_id, caller.device_id, key) == storage::CreateResult::exists &&
          store.one_time_key(caller.user_id, caller.device_id, key.algorithm, key.key_id) != key.key_json) {
        // Thrown inside the transaction: nothing of this upload is kept.
        throw MatrixError(ErrCode::invalid_param,
                          "One-time key " + key.algorithm + ":" + key.key_id + " exists with other content");
      }
    }
    for (const auto& key : fallback) {
      // Uploading the same key again keeps its used mark; a new key starts unused.
      if (store.fallback_key(caller.user_id, caller.device_id, key.algorithm) != key) {
        store.set_fallback_key(caller.user_id, caller.device_id, key);
      }
    }
    return one_time_key_counts(tx, caller.user_id, caller.device_id);
  });
  return json_response({{"one_time_key_counts", std::move(counts)}});
}

ApiResponse queryKeys(RequestContext& ctx, const QueryKeysRequest& req) {
  if (!req.device_keys.is_object()) {
    throw MatrixError(ErrCode::bad_json, "device_keys must be an object");
  }
  const std::string& requester = ctx.principal->user_id;
  std::vector<std::string> local;
  std::map<std::string, std::set<std::string>> wanted_devices;
  PerServer remote;
  for (const auto& [user_id, devices] : req.device_keys.items()) {
    const auto server = server_of_wanted(user_id, devices, nlohmann::json::value_t::array);
    for (const auto& device : devices) {
      if (!device.is_string()) {
        throw MatrixError(ErrCode::bad_json, "Device IDs must be strings");
      }
    }
    if (server != ctx.services.identity.server_name) {
      remote[server][user_id] = devices;
      continue;
    }
    local.push_back(user_id);
    for (const auto& device : devices) {
      wanted_devices[user_id].insert(device.get<std::string>());
    }
  }
  auto theirs = query_remote_keys(ctx.services, remote, remote_timeout(req.timeout));
  auto found = ctx.services.database.read([&](storage::ReadTx& tx) { return find_local_keys(tx, local); });
  nlohmann::json response = served_cross_signing_keys(found, requester);
  merge_members(response["master_keys"], theirs.master_keys);
  merge_members(response["self_signing_keys"], theirs.self_signing_keys);
  response["failures"] = std::move(theirs.failures);
  // The rest is small: encode it, then put the spliced device keys in front.
  const std::string rest = json_text(response);
  ApiResponse answer;
  answer.body = R"({"device_keys":)";
  append_device_keys(answer.body, local, found, wanted_devices, requester, theirs.device_keys);
  answer.body += ',';
  answer.body.append(rest, 1);
  return answer;
}

ApiResponse claimKeys(RequestContext& ctx, const ClaimKeysRequest& req) {
  if (!req.one_time_keys.is_object()) {
    throw MatrixError(ErrCode::bad_json, "one_time_keys must be an object");
  }
  std::vector<WantedKey> wanted;
  PerServer remote;
  for (const auto& [user_id, devices] : req.one_time_keys.items()) {
    const auto server = server_of_wanted(user_id, devices, nlohmann::json::value_t::object);
    for (const auto& [device_id, algorithm] : devices.items()) {
      if (!algorithm.is_string()) {
        throw MatrixError(ErrCode::bad_json, "Each device maps to an algorithm name");
      }
      if (server == ctx.services.identity.server_name) {
        wanted.emplace_back(user_id, device_id, algorithm.get<std::string>());
      }
    }
    if (server != ctx.services.identity.server_name) {
      remote[server][user_id] = devices;
    }
  }
  auto theirs = claim_remote_keys(ctx.services, remote, remote_timeout(req.timeout));
  auto claimed = wanted.empty() ? nlohmann::json::object()
                                : ctx.services.database.write([&](storage::WriteTx& tx) {
                                    return claim_local_keys(tx, wanted);
                                  });
  merge_members(claimed, theirs.one_time_keys);
  return json_response({{"one_time_keys", std::move(claimed)}, {"failures", std::move(theirs.failures)}});
}

ApiResponse getKeysChanges(RequestContext& ctx, const GetKeysChangesRequest& req) {
  const auto from = SyncToken::parse(req.from);
  const auto to = SyncToken::parse(req.to);
  if (!from || !to) {
    throw MatrixError(ErrCode::invalid_param, "from and to must be sync tokens");
  }
  auto delta = ctx.services.database.read([&](storage::ReadTx& tx) {
    return device_list_delta(tx, ctx.principal->user_id, {from->events, from->device_lists},
                             {to->events, to->device_lists});
  });
  return json_response({{"changed", delta.changed}, {"left", delta.left}});
}

}  // namespace ranvier::api::client_server
