#include "api/account_moderation.hpp"

#include "api/errors.hpp"
#include "api/services.hpp"
#include "core/canonical_json.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

namespace ranvier::api {
namespace {

// Spec "Account suspension": joining or knocking (also accepting invites), sending messages and
// invites, profile changes, and moderating others. Uploads, aliases, directory listings and room
// creation or upgrades reach other users too, so they go with them, as in Synapse.
constexpr std::array<std::pair<std::string_view, SuspensionRule>, 22> suspension_rules{{
    {"createRoom", SuspensionRule::forbidden},
    {"upgradeRoom", SuspensionRule::forbidden},
    {"joinRoom", SuspensionRule::forbidden},
    {"joinRoomById", SuspensionRule::forbidden},
    {"knockRoom", SuspensionRule::forbidden},
    {"inviteUser", SuspensionRule::forbidden},
    {"inviteBy3PID", SuspensionRule::forbidden},
    {"kick", SuspensionRule::forbidden},
    {"ban", SuspensionRule::forbidden},
    {"unban", SuspensionRule::forbidden},
    {"setProfileField", SuspensionRule::forbidden},
    {"deleteProfileField", SuspensionRule::forbidden},
    {"setRoomAlias", SuspensionRule::forbidden},
    {"deleteRoomAlias", SuspensionRule::forbidden},
    {"setRoomVisibilityOnDirectory", SuspensionRule::forbidden},
    {"uploadContent", SuspensionRule::forbidden},
    {"uploadContentToMXC", SuspensionRule::forbidden},
    {"createContent", SuspensionRule::forbidden},
    {"redactEvent", SuspensionRule::own_redaction_only},
    {"sendMessage", SuspensionRule::redaction_send_only},
    {"setRoomStateWithKey", SuspensionRule::own_leave_only},
    {"updateAppserviceRoomDirectoryVisibility", SuspensionRule::forbidden},
}};

[[noreturn]] void refuse_suspended() {
  throw MatrixError(ErrCode::user_suspended, "Your account is suspended and may not do this");
}

std::string_view path_param(const RequestContext& ctx, std::size_t index) {
  return index < ctx.path_params.size() ? std::string_view(ctx.path_params[index]) : std::string_view();
}

bool is_own_event(const RequestContext& ctx, std::string_view user_id, std::string_view event_id) {
  const auto event = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.events().get_row(event_id); });
  // An unknown event is the handler's to answer (404), not a suspension matter.
  return !event || event->sender == user_id;
}

/// The `key` string of a JSON object body; empty when the body or the member is not one.
std::string body_string(const RequestContext& ctx, const char* key) {
  const auto body = core::parse_json_strict(ctx.request.body);
  if (!body || !body->is_object()) {
    return {};
  }
  const auto it = body->find(key);
  return it != body->end() && it->is_string() ? it->get<std::string>() : std::string();
}

void enforce_suspension(const RequestContext& ctx, std::string_view user_id) {
  switch (suspension_rule(ctx.operation.operation_id)) {
    case SuspensionRule::allowed:
      return;
    case SuspensionRule::forbidden:
      refuse_suspended();
    case SuspensionRule::own_redaction_only:
      // Path: /rooms/{roomId}/redact/{eventId}/{txnId}.
      if (!is_own_event(ctx, user_id, path_param(ctx, 1))) {
        refuse_suspended();
      }
      return;
    case SuspensionRule::redaction_send_only: {
      // Path: /rooms/{roomId}/send/{eventType}/{txnId}; a redaction names its target in content.
      const std::string redacts = body_string(ctx, "redacts");
      if (path_param(ctx, 1) != "m.room.redaction" || redacts.empty() || !is_own_event(ctx, user_id, redacts)) {
        refuse_suspended();
      }
      return;
    }
    case SuspensionRule::own_leave_only:
      // Path: /rooms/{roomId}/state/{eventType}/{stateKey}: leaving or rejecting an invite.
      if (path_param(ctx, 1) != "m.room.member" || path_param(ctx, 2) != user_id ||
          body_string(ctx, "membership") != "leave") {
        refuse_suspended();
      }
      return;
  }
}

}  // namespace

bool locked_account_may_call(std::string_view operation_id) {
  return operation_id == "logout" || operation_id == "logout_all";
}

SuspensionRule suspension_rule(std::string_view operation_id) {
  for (const auto& [id, rule] : suspension_rules) {
    if (id == operation_id) {
      return rule;
    }
  }
  return SuspensionRule::allowed;
}

void enforce_account_moderation(const RequestContext& ctx, std::string_view user_id, bool locked, bool suspended) {
  if (locked && !locked_account_may_call(ctx.operation.operation_id)) {
    // Spec: 401 with soft_logout, so that clients keep their encryption state for the unlock.
    throw MatrixError(ErrCode::user_locked, "Your account has been locked by the server administrator",
                      nlohmann::json{{"soft_logout", true}});
  }
  if (suspended) {
    enforce_suspension(ctx, user_id);
  }
}

bool should_record_request(std::optional<std::int64_t> request_seen_ts, std::int64_t now_ms) {
  return !request_seen_ts || now_ms - *request_seen_ts >= request_record_interval_ms || now_ms < *request_seen_ts;
}

void record_request(const RequestContext& ctx, const storage::TokenOwner& owner, std::int64_t now_ms) {
  if (!should_record_request(owner.request_seen_ts, now_ms)) {
    return;
  }
  const std::string user_agent(ctx.request.header("user-agent"));
  ctx.services.database.write([&](storage::WriteTx& tx) {
    tx.devices().record_request(owner.user_id, owner.device_id, now_ms, ctx.request.remote_address, user_agent);
  });
}

}  // namespace ranvier::api
