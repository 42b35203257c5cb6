#pragma once
// Each service's sender user (`@sender_localpart:server`) must exist before the service can
// act as it: created at start-up, without a password.

#include "appservice/registry.hpp"
#include "storage/database.hpp"

namespace ranvier::appservice {

/// Creates the accounts of senders that do not exist yet; returns how many it created.
int ensure_sender_accounts(storage::Database& database, const Registry& registry, std::int64_t now_ms);

}  // namespace ranvier::appservice
