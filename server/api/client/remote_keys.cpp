#include "api/client/remote_keys.hpp"

#include "api/client/key_signatures.hpp"
#include "core/identifiers.hpp"
#include "federation/federation_client.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace ranvier::api::client_server {
namespace {

using Answer = core::Expected<nlohmann::json, federation::FederationError>;

/// POSTs `{body_key: wanted[server]}` to `path` on every server at once, each request ending
/// by `timeout` from now at the latest (the HTTP client's deadline), and waits for all of them:
/// nothing outlives the call. Servers that had not answered by then are missing from the result.
std::map<std::string, Answer> post_to_each(federation::FederationClient& client, const PerServer& wanted,
                                           const std::string& path, const char* body_key,
                                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::mutex mutex;
  std::map<std::string, Answer> answers;
  std::vector<std::jthread> requests;
  requests.reserve(wanted.size());
  for (const auto& [server, body] : wanted) {
    requests.emplace_back([&, server = server, request = nlohmann::json{{body_key, body}}] {
      auto answer = client.post(server, path, request, deadline);
      if (!answer && std::chrono::steady_clock::now() >= deadline) {
        return;  // out of time: reported as no answer, not as this server's failure
      }
      std::lock_guard lock(mutex);
      answers.emplace(server, std::move(answer));
    });
  }
  requests.clear();  // joins every request
  return answers;
}

/// The `failures` entry for a server: its HTTP status when it answered with an error, else 503.
nlohmann::json failure(const federation::FederationError& error) {
  const int status = error.kind == federation::FederationError::Kind::http ? error.status : 503;
  return {{"status", status}, {"message", federation::describe(error)}};
}

/// Runs one round of requests and hands each answer to `take`; failures go to `failures`.
template <class Take>
void ask_each(const Services& services, const PerServer& wanted, const std::string& path, const char* body_key,
              std::chrono::milliseconds timeout, nlohmann::json& failures, Take&& take) {
  if (wanted.empty()) {
    return;
  }
  if (services.federation_client == nullptr) {
    for (const auto& [server, asked] : wanted) {
      failures[server] = {{"status", 503}, {"message", "Federation is not available"}};
    }
    return;
  }
  auto answers = post_to_each(*services.federation_client, wanted, path, body_key, timeout);
  for (const auto& [server, asked] : wanted) {
    const auto answer = answers.find(server);
    if (answer == answers.end()) {
      failures[server] = {{"status", 504}, {"message", "No answer within the timeout"}};
    } else if (!answer->second) {
      failures[server] = failure(answer->second.error());
    } else {
      take(server, asked, *answer->second);
    }
  }
}

/// The user is one of `server`'s and was asked about.
bool asked_about(const std::string& server, const nlohmann::json& asked, const std::string& user_id) {
  return asked.is_object() && asked.contains(user_id) && core::server_name_of(user_id) == server;
}

/// Device keys listed under `user_id` and `device_id`, naming both, signed by their own key.
bool valid_device_keys(const nlohmann::json& keys, const std::string& user_id, const std::string& device_id) {
  if (!keys.is_object() || keys.value("user_id", nlohmann::json()) != user_id ||
      keys.value("device_id", nlohmann::json()) != device_id || !keys.contains("keys")) {
    return false;
  }
  const std::string key_id = "ed25519:" + device_id;
  const auto key = ed25519_key_in(keys["keys"], key_id);
  return key && has_valid_signature(keys, user_id, key_id, *key);
}

/// A cross-signing key object of `user_id` with `usage` among its usages and one public key.
std::optional<CrossSigningPublicKey> valid_cross_signing_key(const nlohmann::json& key, const std::string& user_id,
                                                             std::string_view usage) {
  if (!key.is_object() || key.value("user_id", nlohmann::json()) != user_id) {
    return std::nullopt;
  }
  const auto usages = key.find("usage");
  if (usages == key.end() || !usages->is_array() ||
      std::find(usages->begin(), usages->end(), nlohmann::json(usage)) == usages->end()) {
    return std::nullopt;
  }
  return cross_signing_public_key(key);
}

const nlohmann::json* member(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(name);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace

void take_query_answer(const std::string& server, const nlohmann::json& asked, const nlohmann::json& answer,
                       RemoteKeys& out) {
  if (const auto* devices_by_user = member(answer, "device_keys")) {
    for (const auto& [user_id, devices] : devices_by_user->items()) {
      if (!asked_about(server, asked, user_id) || !devices.is_object()) {
        continue;
      }
      std::set<std::string> only;
      for (const auto& device : asked[user_id]) {
        if (device.is_string()) {
          only.insert(device.get<std::string>());
        }
      }
      nlohmann::json checked = nlohmann::json::object();
      for (const auto& [device_id, keys] : devices.items()) {
        if ((only.empty() || only.contains(device_id)) && valid_device_keys(keys, user_id, device_id)) {
          checked[device_id] = keys;
        }
      }
      out.device_keys[user_id] = std::move(checked);
    }
  }
  std::map<std::string, CrossSigningPublicKey> masters;
  if (const auto* keys = member(answer, "master_keys")) {
    for (const auto& [user_id, key] : keys->items()) {
      if (!asked_about(server, asked, user_id)) {
        continue;
      }
      if (auto public_key = valid_cross_signing_key(key, user_id, "master")) {
        masters.emplace(user_id, std::move(*public_key));
        out.master_keys[user_id] = key;
      }
    }
  }
  if (const auto* keys = member(answer, "self_signing_keys")) {
    for (const auto& [user_id, key] : keys->items()) {
      const auto master = masters.find(user_id);
      if (master == masters.end() || !valid_cross_signing_key(key, user_id, "self_signing") ||
          !has_valid_signature(key, user_id, master->second.key_id, master->second.key)) {
        continue;
      }
      out.self_signing_keys[user_id] = key;
    }
  }
}

void take_claim_answer(const std::string& server, const nlohmann::json& asked, const nlohmann::json& answer,
                       RemoteClaims& out) {
  const auto* claimed = member(answer, "one_time_keys");
  if (claimed == nullptr) {
    return;
  }
  for (const auto& [user_id, devices] : claimed->items()) {
    if (!asked_about(server, asked, user_id) || !devices.is_object()) {
      continue;
    }
    for (const auto& [device_id, keys] : devices.items()) {
      const auto algorithm = asked[user_id].find(device_id);
      if (algorithm == asked[user_id].end() || !algorithm->is_string() || !keys.is_object()) {
        continue;
      }
      const std::string prefix = algorithm->get<std::string>() + ":";
      for (const auto& [key_id, key] : keys.items()) {
        if (key_id.starts_with(prefix) && key_id.size() > prefix.size() && (key.is_string() || key.is_object())) {
          out.one_time_keys[user_id][device_id][key_id] = key;
          break;  // one key per device
        }
      }
    }
  }
}

RemoteKeys query_remote_keys(const Services& services, const PerServer& wanted, std::chrono::milliseconds timeout) {
  RemoteKeys out;
  ask_each(services, wanted, "/_matrix/federation/v1/user/keys/query", "device_keys", timeout, out.failures,
           [&](const std::string& server, const nlohmann::json& asked, const nlohmann::json& answer) {
             take_query_answer(server, asked, answer, out);
           });
  return out;
}

RemoteClaims claim_remote_keys(const Services& services, const PerServer& wanted, std::chrono::milliseconds timeout) {
  RemoteClaims out;
  ask_each(services, wanted, "/_matrix/federation/v1/user/keys/claim", "one_time_keys", timeout, out.failures,
           [&](const std::string& server, const nlohmann::json& asked, const nlohmann::json& answer) {
             take_claim_answer(server, asked, answer, out);
           });
  return out;
}

}  // namespace ranvier::api::client_server
