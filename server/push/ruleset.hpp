#pragma once
// One user's push rules: their own rules merged with the server defaults, in evaluation order,
// with the edits the `/pushrules` endpoints make.

#include "core/expected.hpp"
#include "push/rule.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::push {

/// A user's complete ruleset. Evaluation order: kinds override → content → room → sender →
/// underride; within a kind the user's rules (in their own order) come before the defaults,
/// except `.m.rule.master`, which precedes everything.
class Ruleset {
 public:
  /// The server defaults alone, for `user_id` (a user who never changed a rule).
  static Ruleset defaults_for(std::string_view user_id);

  /// Rebuilds a ruleset from its stored or wire form: `{"global": {kind: [rule...]}}` or the
  /// inner object. User rules are validated as on PUT; default rules (rule_id starting with `.`)
  /// only carry over their `enabled` and `actions`; defaults unknown to this server are dropped.
  static core::Expected<Ruleset, RuleError> from_json(std::string_view user_id,
                                                      const nlohmann::json& stored);

  /// The `GET /pushrules/` body: `{"global": {"override": [...], ..., "underride": [...]}}`,
  /// each kind in evaluation order. Also the content of the `m.push_rules` account data event.
  nlohmann::json to_json() const;

  /// The rules of one kind in evaluation order (`GET /pushrules/global/{kind}/`).
  nlohmann::json kind_to_json(RuleKind kind) const;

  /// One rule, or nullptr (`GET /pushrules/global/{kind}/{ruleId}`).
  const Rule* find(RuleKind kind, std::string_view rule_id) const;

  /// Creates or replaces a user rule (`PUT /pushrules/global/{kind}/{ruleId}`). A new rule goes
  /// first among the user's rules of its kind, or right before `before` / after `after` (both
  /// must name user rules of the same kind). A replaced rule keeps its place unless an anchor is
  /// given, and keeps its `enabled` state.
  std::optional<RuleError> put(RuleKind kind, std::string_view rule_id,
                               const nlohmann::json& body,
                               std::optional<std::string_view> before = std::nullopt,
                               std::optional<std::string_view> after = std::nullopt);

  /// Deletes a user rule; default rules cannot be deleted.
  std::optional<RuleError> remove(RuleKind kind, std::string_view rule_id);

  /// Sets `enabled` of a user or default rule (`PUT .../{ruleId}/enabled`).
  std::optional<RuleError> set_enabled(RuleKind kind, std::string_view rule_id, bool enabled);

  /// Replaces the actions of a user or default rule (`PUT .../{ruleId}/actions`).
  std::optional<RuleError> set_actions(RuleKind kind, std::string_view rule_id,
                                       const nlohmann::json& actions);

  /// Calls `visit(kind, rule)` for every rule in evaluation order until it returns true;
  /// returns the rule that stopped the walk (or nullptr) and its kind in `stopped_kind`.
  template <class Visit>
  const Rule* walk(Visit&& visit, RuleKind* stopped_kind = nullptr) const;

  /// The user these rules belong to.
  const std::string& user_id() const { return user_id_; }

 private:
  Rule* find_mutable(RuleKind kind, std::string_view rule_id);
  static std::size_t index(RuleKind kind) { return static_cast<std::size_t>(kind); }

  std::string user_id_;
  std::array<std::vector<Rule>, 5> user_;
  std::array<std::vector<Rule>, 5> defaults_;  // override defaults start with .m.rule.master
};

template <class Visit>
const Rule* Ruleset::walk(Visit&& visit, RuleKind* stopped_kind) const {
  for (const RuleKind kind : kAllKinds) {
    const auto& defaults = defaults_[index(kind)];
    const auto& users = user_[index(kind)];
    // The master rule (first override default) outranks every user rule.
    const std::size_t leading = kind == RuleKind::override_rule && !defaults.empty() ? 1 : 0;
    const Rule* found = nullptr;
    for (std::size_t i = 0; i < leading && found == nullptr; ++i) {
      found = visit(kind, defaults[i]) ? &defaults[i] : nullptr;
    }
    for (std::size_t i = 0; i < users.size() && found == nullptr; ++i) {
      found = visit(kind, users[i]) ? &users[i] : nullptr;
    }
    for (std::size_t i = leading; i < defaults.size() && found == nullptr; ++i) {
      found = visit(kind, defaults[i]) ? &defaults[i] : nullptr;
    }
    if (found != nullptr) {
      if (stopped_kind != nullptr) {
        *stopped_kind = kind;
      }
      return found;
    }
  }
  return nullptr;
}

}  // namespace ranvier::push
