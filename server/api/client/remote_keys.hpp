#pragma once
// Keys of other servers' users for a client's /keys/query and /keys/claim (client-server API,
// "Key management API"; server-server API, "End-to-End Encryption"): the users are grouped by
// server, every server is asked at once through /user/keys/query or /user/keys/claim, and the
// client's `timeout` bounds the wait. A server that cannot be reached, answers with an error or
// does not answer in time is named under `failures`. What comes back is checked before a client
// sees it: only users of that server that were asked about, device keys for the user and device
// they are listed under and signed by the device's own ed25519 key, master keys of the user,
// self-signing keys signed by that master key.

#include "api/services.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <string>

namespace ranvier::api::client_server {

/// The checked parts of other servers' /user/keys/query answers, shaped like the client's answer.
struct RemoteKeys {
  nlohmann::json device_keys = nlohmann::json::object();
  nlohmann::json master_keys = nlohmann::json::object();
  nlohmann::json self_signing_keys = nlohmann::json::object();
  nlohmann::json failures = nlohmann::json::object();
};

/// The checked parts of other servers' /user/keys/claim answers.
struct RemoteClaims {
  nlohmann::json one_time_keys = nlohmann::json::object();
  nlohmann::json failures = nlohmann::json::object();
};

/// Per server, the `device_keys` of a /user/keys/query ({user: [device IDs]}) or the
/// `one_time_keys` of a /user/keys/claim ({user: {device: algorithm}}).
using PerServer = std::map<std::string, nlohmann::json>;

/// Queries every server in `wanted` in parallel, waiting at most `timeout` in all.
RemoteKeys query_remote_keys(const Services& services, const PerServer& wanted, std::chrono::milliseconds timeout);

/// Claims one-time keys from every server in `wanted` in parallel, waiting at most `timeout`.
RemoteClaims claim_remote_keys(const Services& services, const PerServer& wanted, std::chrono::milliseconds timeout);

/// Adds to `out` what `server` answered to a /user/keys/query for `asked` ({user: [devices]}),
/// keeping only what passes the checks above. Anything malformed is left out, never thrown.
void take_query_answer(const std::string& server, const nlohmann::json& asked, const nlohmann::json& answer,
                       RemoteKeys& out);

/// Adds to `out` the keys `server` answered to a /user/keys/claim for `asked`
/// ({user: {device: algorithm}}): only the users, devices and algorithms asked for.
void take_claim_answer(const std::string& server, const nlohmann::json& asked, const nlohmann::json& answer,
                       RemoteClaims& out);

}  // namespace ranvier::api::client_server
