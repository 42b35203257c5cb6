#pragma once
// Locking and suspending accounts, shared by the spec's admin endpoints
// (/_matrix/client/v1/admin/{lock,suspend}), Synapse's admin API and `ranvier admin`.

#include "storage/database.hpp"

#include <optional>
#include <string>

namespace ranvier::api::admin {

/// The two reversible restrictions a server admin can put on an account.
enum class Moderation { lock, suspend };

/// The account's flag; nullopt when there is no such account or it is deactivated (the spec
/// answers 404 for both).
std::optional<bool> moderation_state(storage::ReadTx& tx, const std::string& user_id, Moderation which);

/// Sets or clears the flag in one transaction; false when there is no such live account. Takes
/// effect on the account's next request: the flags are read with its access token.
bool set_moderation(storage::Database& database, const std::string& user_id, Moderation which, bool value);

}  // namespace ranvier::api::admin
