#pragma once
// Ephemeral data units received in a federation transaction (server-server API, "EDUs"):
// typing, receipts, presence, direct to-device messages, and device-list and cross-signing key
// updates, applied through the same stores and in-memory state as their client-server
// counterparts. Each EDU may speak only for users of the server that sent it; anything else is
// dropped.

#include "api/context.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace ranvier::api::server_server {

/// Changes to in-memory state (typing, presence) that wait until the transaction committed.
using AfterCommit = std::vector<std::function<void()>>;

/// Applies one EDU from `origin`: database changes through `tx`, in-memory ones queued on
/// `after`. Malformed or unknown EDUs are ignored (the spec gives EDUs no per-item result).
void apply_edu(RequestContext& ctx, storage::WriteTx& tx, const std::string& origin, const nlohmann::json& edu,
               AfterCommit& after);

}  // namespace ranvier::api::server_server
