#include "core/server_keys.hpp"

#include <algorithm>

#include "core/base64.hpp"

namespace ranvier::core {
namespace {

using json = nlohmann::json;

// Reads `{key_id: {"key": b64, <ts_field>: int}}` into `out`; the timestamp defaults to
// `default_ts` when ts_field is empty.
std::optional<ServerKeysError> read_keys(const json& keys, std::string_view ts_field,
                                         std::int64_t default_ts,
                                         std::map<std::string, VerifyKey, std::less<>>& out) {
  if (!keys.is_object()) {
    return ServerKeysError::malformed;
  }
  for (const auto& [key_id, entry] : keys.items()) {
    if (!entry.is_object() || !entry.contains("key") || !entry["key"].is_string()) {
      return ServerKeysError::malformed;
    }
    if (!ed25519_key_version(key_id)) {
      continue;  // other algorithms are not ours to use
    }
    const auto raw = base64_decode(entry["key"].get_ref<const std::string&>());
    if (!raw || raw->size() != Ed25519PublicKey{}.size()) {
      return ServerKeysError::bad_key;
    }
    VerifyKey key;
    std::copy(raw->begin(), raw->end(), key.key.begin());
    key.valid_until_ts = default_ts;
    if (!ts_field.empty()) {
      const auto ts = entry.find(ts_field);
      if (ts == entry.end() || !ts->is_number_integer()) {
        return ServerKeysError::malformed;
      }
      key.valid_until_ts = ts->get<std::int64_t>();
    }
    out.emplace(key_id, key);
  }
  return std::nullopt;
}

}  // namespace

json build_server_keys(std::string_view server_name, const std::vector<SigningKey>& current,
                       const std::vector<OldVerifyKey>& old, std::int64_t valid_until_ts) {
  json verify_keys = json::object();
  for (const auto& key : current) {
    verify_keys[key.key_id] = {{"key", key.public_key_base64()}};
  }
  json old_keys = json::object();
  for (const auto& key : old) {
    old_keys[key.key_id] = {{"key", base64_encode(as_bytes(key.key))}, {"expired_ts", key.expired_ts}};
  }
  json doc = {{"server_name", server_name},
              {"verify_keys", std::move(verify_keys)},
              {"old_verify_keys", std::move(old_keys)},
              {"valid_until_ts", valid_until_ts}};
  for (const auto& key : current) {
    sign_json(doc, server_name, key);
  }
  return doc;
}

std::optional<VerifyKey> ServerKeys::find(std::string_view key_id) const {
  if (const auto it = verify_keys.find(key_id); it != verify_keys.end()) {
    return it->second;
  }
  if (const auto it = old_verify_keys.find(key_id); it != old_verify_keys.end()) {
    return it->second;
  }
  return std::nullopt;
}

std::string_view to_string(ServerKeysError e) {
  switch (e) {
    case ServerKeysError::malformed: return "malformed key document";
    case ServerKeysError::wrong_server: return "key document is for another server";
    case ServerKeysError::bad_key: return "public key is not 32 bytes of base64";
    case ServerKeysError::signature_failed: return "key document is not validly self-signed";
  }
  return "bad key document";
}

Expected<ServerKeys, ServerKeysError> verify_server_keys(const json& document,
                                                         std::string_view server_name) {
  if (!document.is_object()) {
    return fail(ServerKeysError::malformed);
  }
  const auto name = document.find("server_name");
  const auto until = document.find("valid_until_ts");
  const auto current = document.find("verify_keys");
  if (name == document.end() || !name->is_string() || until == document.end() ||
      !until->is_number_integer() || current == document.end()) {
    return fail(ServerKeysError::malformed);
  }
  if (name->get_ref<const std::string&>() != server_name) {
    return fail(ServerKeysError::wrong_server);
  }
  ServerKeys keys;
  keys.server_name = std::string(server_name);
  keys.valid_until_ts = until->get<std::int64_t>();
  if (auto e = read_keys(*current, {}, keys.valid_until_ts, keys.verify_keys)) {
    return fail(*e);
  }
  if (const auto old = document.find("old_verify_keys"); old != document.end()) {
    if (auto e = read_keys(*old, "expired_ts", 0, keys.old_verify_keys)) {
      return fail(*e);
    }
  }
  // Only current keys may vouch for the document itself.
  const VerifyKeyLookup lookup = [&](std::string_view server,
                                     std::string_view key_id) -> std::optional<VerifyKey> {
    const auto it = keys.verify_keys.find(key_id);
    if (server != server_name || it == keys.verify_keys.end()) {
      return std::nullopt;
    }
    return VerifyKey{it->second.key};
  };
  if (verify_json_signature(document, server_name, lookup)) {
    return fail(ServerKeysError::signature_failed);
  }
  return keys;
}

std::int64_t capped_valid_until(std::int64_t valid_until_ts, std::int64_t fetched_at_ms) {
  // Saturating add: a far-future fetch time must not overflow.
  const std::int64_t cap = fetched_at_ms > INT64_MAX - max_key_validity_ms
                               ? INT64_MAX
                               : fetched_at_ms + max_key_validity_ms;
  return std::min(valid_until_ts, cap);
}

json build_notary_response(std::vector<json> documents, std::string_view notary_name,
                           const std::vector<SigningKey>& keys) {
  json list = json::array();
  for (auto& doc : documents) {
    for (const auto& key : keys) {
      sign_json(doc, notary_name, key);
    }
    list.push_back(std::move(doc));
  }
  return json{{"server_keys", std::move(list)}};
}

}  // namespace ranvier::core
