#pragma once
// What a locked or suspended account may still do, checked once per request right after its
// access token is resolved (spec: client-server API, "Account locking" and "Account
// suspension"), and the record of each device's last request for GET /admin/whois.

#include "api/context.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace ranvier::storage {
struct TokenOwner;
}

namespace ranvier::api {

/// Spec "Account locking": a locked account may still log out (POST /logout, /logout/all).
bool locked_account_may_call(std::string_view operation_id);

/// How suspension treats an operation.
enum class SuspensionRule {
  allowed,             ///< reads, leaving, logging out, keys, devices, account data, reports
  forbidden,           ///< joining, knocking, inviting, sending, profile changes, uploads, …
  own_redaction_only,  ///< redactEvent: only the user's own events
  redaction_send_only, ///< sendMessage: only an m.room.redaction of the user's own event
  own_leave_only,      ///< setRoomStateWithKey: only their own m.room.member leave
};

/// The rule for an operation ID (spec "Account suspension" lists the actions; the rest stay).
SuspensionRule suspension_rule(std::string_view operation_id);

/// Throws M_USER_LOCKED (401, soft_logout: true) or M_USER_SUSPENDED (403) when the account of
/// `user_id`, locked or suspended as given, may not make this request. Reads the target event
/// for redactions only.
void enforce_account_moderation(const RequestContext& ctx, std::string_view user_id, bool locked, bool suspended);

/// How often a device's request is written for whois: at most once per this many ms.
inline constexpr std::int64_t request_record_interval_ms = 5 * 60 * 1000;

/// Whether a request at `now_ms` should be recorded, given when the device's last one was
/// (nullopt: none since its login).
bool should_record_request(std::optional<std::int64_t> request_seen_ts, std::int64_t now_ms);

/// Writes the request's time, address and User-Agent to its device when should_record_request
/// says so (one small write per device per interval, not per request).
void record_request(const RequestContext& ctx, const storage::TokenOwner& owner, std::int64_t now_ms);

}  // namespace ranvier::api
