// The /pushrules endpoints (client-server API, "Push Rules: API"). A user's ruleset is kept as
// the server-owned `m.push_rules` global account data, so /sync delivers every change to the
// user's clients; the rules themselves (defaults, validation, ordering) are server/push.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "push/ruleset.hpp"
#include "storage/database.hpp"

namespace ranvier::api::client_server {
namespace {

MatrixError to_matrix_error(const push::RuleError& error) {
  using push::RuleErrorCode;
  switch (error.code) {
    case RuleErrorCode::unknown_kind:
    case RuleErrorCode::bad_rule_id:
    case RuleErrorCode::unknown_action:
      return MatrixError(ErrCode::invalid_param, error.message);
    case RuleErrorCode::malformed_rule:
    case RuleErrorCode::malformed_condition:
      return MatrixError(ErrCode::bad_json, error.message);
    case RuleErrorCode::not_found:
      return MatrixError(ErrCode::not_found, error.message);
    case RuleErrorCode::default_rule:
      return MatrixError(ErrCode::invalid_param, error.message);
  }
  return MatrixError(ErrCode::unknown, error.message);
}

push::Ruleset load(storage::ReadTx& tx, const std::string& user_id) {
  auto stored = tx.account_data().get(user_id, "", "m.push_rules");
  if (!stored) {
    return push::Ruleset::defaults_for(user_id);
  }
  auto parsed = push::Ruleset::from_json(user_id, nlohmann::json::parse(*stored));
  if (!parsed) {
    // Stored rules were validated on the way in; fall back rather than lock the user out.
    return push::Ruleset::defaults_for(user_id);
  }
  return std::move(*parsed);
}

push::RuleKind kind_of(const std::string& name) {
  auto kind = push::parse_kind(name);
  if (!kind) {
    throw MatrixError(ErrCode::invalid_param, "Unknown push rule kind " + name);
  }
  return *kind;
}

const push::Rule& existing(const push::Ruleset& rules, push::RuleKind kind, const std::string& rule_id) {
  const auto* rule = rules.find(kind, rule_id);
  if (rule == nullptr) {
    throw MatrixError(ErrCode::not_found, "No push rule " + rule_id);
  }
  return *rule;
}

/// Applies one edit to the caller's rules in a transaction that holds their account row.
template <class Edit>
void edit(RequestContext& ctx, Edit&& change) {
  const auto& user = ctx.principal->user_id;
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    tx.accounts().lock(user);
    auto rules = load(tx, user);
    if (auto error = change(rules)) {
      throw to_matrix_error(*error);
    }
    tx.account_data().put(user, "", "m.push_rules", rules.to_json().dump());
  });
}

push::Ruleset read_rules(RequestContext& ctx) {
  return ctx.services.database.read([&](storage::ReadTx& tx) { return load(tx, ctx.principal->user_id); });
}

}  // namespace

ApiResponse getPushRules(RequestContext& ctx, const GetPushRulesRequest&) {
  return json_response(read_rules(ctx).to_json());
}

ApiResponse getPushRulesGlobal(RequestContext& ctx, const GetPushRulesGlobalRequest&) {
  return json_response(read_rules(ctx).to_json()["global"]);
}

ApiResponse getPushRule(RequestContext& ctx, const GetPushRuleRequest& req) {
  const auto kind = kind_of(req.kind);
  auto rules = read_rules(ctx);
  return json_response(push::rule_to_json(kind, existing(rules, kind, req.rule_id)));
}

ApiResponse setPushRule(RequestContext& ctx, const SetPushRuleRequest& req) {
  const auto kind = kind_of(req.kind);
  edit(ctx, [&](push::Ruleset& rules) {
    return rules.put(kind, req.rule_id, req.body, req.before, req.after);
  });
  return json_response(nlohmann::json::object());
}

ApiResponse deletePushRule(RequestContext& ctx, const DeletePushRuleRequest& req) {
  const auto kind = kind_of(req.kind);
  edit(ctx, [&](push::Ruleset& rules) { return rules.remove(kind, req.rule_id); });
  return json_response(nlohmann::json::object());
}

ApiResponse isPushRuleEnabled(RequestContext& ctx, const IsPushRuleEnabledRequest& req) {
  const auto kind = kind_of(req.kind);
  auto rules = read_rules(ctx);
  return json_response({{"enabled", existing(rules, kind, req.rule_id).enabled}});
}

ApiResponse setPushRuleEnabled(RequestContext& ctx, const SetPushRuleEnabledRequest& req) {
  const auto kind = kind_of(req.kind);
  if (!req.body.contains("enabled") || !req.body["enabled"].is_boolean()) {
    throw MatrixError(ErrCode::bad_json, "enabled must be a boolean");
  }
  const bool enabled = req.body["enabled"].get<bool>();
  edit(ctx, [&](push::Ruleset& rules) { return rules.set_enabled(kind, req.rule_id, enabled); });
  return json_response(nlohmann::json::object());
}

ApiResponse getPushRuleActions(RequestContext& ctx, const GetPushRuleActionsRequest& req) {
  const auto kind = kind_of(req.kind);
  auto rules = read_rules(ctx);
  return json_response({{"actions", existing(rules, kind, req.rule_id).actions}});
}

ApiResponse setPushRuleActions(RequestContext& ctx, const SetPushRuleActionsRequest& req) {
  const auto kind = kind_of(req.kind);
  edit(ctx, [&](push::Ruleset& rules) { return rules.set_actions(kind, req.rule_id, req.actions); });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
