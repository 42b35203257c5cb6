#include "core/event.hpp"

#include <algorithm>

#include "core/base64.hpp"
#include "core/canonical_json.hpp"
#include "core/identifiers.hpp"
#include "core/redaction.hpp"

namespace ranvier::core {
namespace {

using json = nlohmann::json;

std::string hash_id(char sigil, const Sha256Digest& hash, EventFormat format) {
  std::string id(1, sigil);
  id += format == EventFormat::v3 ? base64_encode(as_bytes(hash)) : base64url_encode(as_bytes(hash));
  return id;
}

const std::string* string_member(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return nullptr;
  }
  return &it->get_ref<const std::string&>();
}

// True if `hashes.sha256` decodes to `expected`.
bool content_hash_matches(const json& event, const Sha256Digest& expected) {
  const auto hashes = event.find("hashes");
  if (hashes == event.end()) {
    return false;
  }
  const auto* claimed = string_member(*hashes, "sha256");
  if (claimed == nullptr) {
    return false;
  }
  const auto raw = base64_decode(*claimed);
  return raw && *raw == as_bytes(expected);
}

}  // namespace

Sha256Digest content_hash(const json& event) {
  std::string out;
  out.reserve(1024);
  canonical_json_append_without(event, {"unsigned", "signatures", "hashes"}, out);
  return sha256(out);
}

Sha256Digest reference_hash(const json& event, const RoomVersion& version) {
  return sha256(redacted_signable_json(event, version));
}

std::optional<std::string> event_id_of(const json& event, const RoomVersion& version) {
  if (version.event_format == EventFormat::v1) {
    const auto* id = string_member(event, "event_id");
    return id ? std::optional<std::string>(*id) : std::nullopt;
  }
  return hash_id('$', reference_hash(event, version), version.event_format);
}

std::string room_id_from_create_event(const json& create_event, const RoomVersion& version) {
  return hash_id('!', reference_hash(create_event, version), EventFormat::v4);
}

void sign_event(json& event, const RoomVersion& version, std::string_view server_name,
                const SigningKey& key) {
  event["hashes"] = json{{"sha256", base64_encode(as_bytes(content_hash(event)))}};
  const auto sig = ed25519_sign(key.pair, redacted_signable_json(event, version));
  auto& signatures = event["signatures"];
  if (!signatures.is_object()) {
    signatures = json::object();
  }
  signatures[std::string(server_name)][key.key_id] = base64_encode(as_bytes(sig));
}

std::vector<std::string> required_signers(const json& event, const RoomVersion& version) {
  std::vector<std::string> servers;
  if (const auto* sender = string_member(event, "sender")) {
    servers.emplace_back(server_name_of(*sender));
  }
  if (version.event_id_domain_signature) {
    if (const auto* id = string_member(event, "event_id")) {
      servers.emplace_back(server_name_of(*id));
    }
  }
  if (version.restricted_joins && event.is_object()) {
    const auto* type = string_member(event, "type");
    const auto content = event.find("content");
    if (type && *type == "m.room.member" && content != event.end()) {
      const auto* membership = string_member(*content, "membership");
      const auto* via = string_member(*content, "join_authorised_via_users_server");
      if (membership && *membership == "join" && via) {
        servers.emplace_back(server_name_of(*via));
      }
    }
  }
  std::sort(servers.begin(), servers.end());
  servers.erase(std::unique(servers.begin(), servers.end()), servers.end());
  return servers;
}

EventVerification verify_event(const json& event, const RoomVersion& version,
                               const VerifyKeyLookup& lookup) {
  EventVerification result;
  if (!event.is_object()) {
    result.signature_error = SignatureError::not_an_object;
    return result;
  }
  // The signed bytes are also what the reference hash covers: encode once, use twice.
  const std::string signable = redacted_signable_json(event, version);
  if (version.event_format == EventFormat::v1) {
    if (const auto* id = string_member(event, "event_id")) {
      result.event_id = *id;
    }
  } else {
    result.event_id = hash_id('$', sha256(signable), version.event_format);
  }

  std::optional<std::int64_t> valid_at;
  if (version.enforce_key_validity) {
    const auto ts = event.find("origin_server_ts");
    if (ts != event.end() && ts->is_number_integer()) {
      valid_at = ts->get<std::int64_t>();
    }
  }
  const auto sigs = event.find("signatures");
  const auto servers = required_signers(event, version);
  if (servers.empty() || sigs == event.end()) {
    result.signature_error = SignatureError::not_signed;
    return result;
  }
  for (const auto& server : servers) {
    if (auto error = verify_signatures_over(signable, *sigs, server, lookup, valid_at)) {
      result.signature_error = error;
      result.server = server;
      return result;
    }
  }
  result.verdict = content_hash_matches(event, content_hash(event)) ? EventVerdict::accept
                                                                     : EventVerdict::redact;
  return result;
}

}  // namespace ranvier::core
