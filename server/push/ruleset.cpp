#include "push/ruleset.hpp"

#include "push/default_rules.hpp"

#include <algorithm>
#include <utility>

namespace ranvier::push {
namespace {

using nlohmann::json;

RuleError not_found(RuleKind kind, std::string_view rule_id) {
  return RuleError{RuleErrorCode::not_found,
                   "no " + std::string(kind_name(kind)) + " rule '" + std::string(rule_id) + "'"};
}

auto by_id(std::string_view rule_id) {
  return [rule_id](const Rule& r) { return r.rule_id == rule_id; };
}

}  // namespace

Ruleset Ruleset::defaults_for(std::string_view user_id) {
  // Parsing the defaults costs ~100 µs; parse them once for a placeholder user and patch the
  // two conditions that name the user into a copy.
  static const std::string placeholder = "@placeholder:invalid";
  static const Ruleset parsed_once = [] {
    Ruleset set;
    set.user_id_ = placeholder;
    const json defaults = default_rules_json(placeholder);
    for (const RuleKind kind : kAllKinds) {
      for (const json& body : defaults.at(kind_name(kind))) {
        // The built-in definitions are valid by construction; failing here is a programmer error.
        auto rule = parse_rule(kind, body.at("rule_id").get<std::string>(), body, true);
        set.defaults_[index(kind)].push_back(std::move(rule.value()));
      }
    }
    return set;
  }();
  Ruleset set = parsed_once;
  set.user_id_ = std::string(user_id);
  for (Rule& rule : set.defaults_[index(RuleKind::override_rule)]) {
    for (Condition& c : rule.conditions) {
      if (c.kind == ConditionKind::event_match && c.glob->pattern() == placeholder) {
        c.glob.emplace(user_id);
        c.source["pattern"] = set.user_id_;
      } else if (c.kind == ConditionKind::event_property_contains && c.value == placeholder) {
        c.value = set.user_id_;
        c.source["value"] = set.user_id_;
      }
    }
  }
  return set;
}

core::Expected<Ruleset, RuleError> Ruleset::from_json(std::string_view user_id,
                                                      const json& stored) {
  Ruleset set = defaults_for(user_id);
  if (!stored.is_object()) {
    return core::fail(RuleError{RuleErrorCode::malformed_rule, "a ruleset must be an object"});
  }
  const json& global = stored.contains("global") ? stored.at("global") : stored;
  if (!global.is_object()) {
    return core::fail(RuleError{RuleErrorCode::malformed_rule, "'global' must be an object"});
  }
  for (const auto& [name, rules] : global.items()) {
    const auto kind = parse_kind(name);
    if (!kind) {
      return core::fail(RuleError{RuleErrorCode::unknown_kind, "unknown kind '" + name + "'"});
    }
    if (!rules.is_array()) {
      return core::fail(RuleError{RuleErrorCode::malformed_rule, "'" + name + "' must be a list"});
    }
    for (const json& body : rules) {
      const auto id = body.is_object() ? body.find("rule_id") : body.end();
      if (!body.is_object() || id == body.end() || !id->is_string()) {
        return core::fail(RuleError{RuleErrorCode::malformed_rule, "a rule needs a 'rule_id'"});
      }
      const auto& rule_id = id->get_ref<const std::string&>();
      if (!rule_id.empty() && rule_id.front() == '.') {
        if (Rule* existing = set.find_mutable(*kind, rule_id); existing != nullptr) {
          auto parsed = parse_rule(*kind, rule_id, body, true);
          if (!parsed) {
            return core::fail(parsed.error());
          }
          existing->enabled = parsed->enabled;
          existing->actions = std::move(parsed->actions);
          existing->summary = std::move(parsed->summary);
        }
        continue;
      }
      auto parsed = parse_rule(*kind, rule_id, body, false);
      if (!parsed) {
        return core::fail(parsed.error());
      }
      auto& users = set.user_[index(*kind)];
      if (std::any_of(users.begin(), users.end(), by_id(rule_id))) {
        return core::fail(RuleError{RuleErrorCode::bad_rule_id, "duplicate rule '" + rule_id + "'"});
      }
      users.push_back(std::move(*parsed));
    }
  }
  return set;
}

json Ruleset::kind_to_json(RuleKind kind) const {
  json out = json::array();
  walk([&](RuleKind k, const Rule& rule) {
    if (k == kind) {
      out.push_back(rule_to_json(kind, rule));
    }
    return false;
  });
  return out;
}

json Ruleset::to_json() const {
  json global = json::object();
  for (const RuleKind kind : kAllKinds) {
    global[std::string(kind_name(kind))] = kind_to_json(kind);
  }
  return {{"global", std::move(global)}};
}

const Rule* Ruleset::find(RuleKind kind, std::string_view rule_id) const {
  return const_cast<Ruleset*>(this)->find_mutable(kind, rule_id);
}

Rule* Ruleset::find_mutable(RuleKind kind, std::string_view rule_id) {
  for (auto* rules : {&user_[index(kind)], &defaults_[index(kind)]}) {
    const auto it = std::find_if(rules->begin(), rules->end(), by_id(rule_id));
    if (it != rules->end()) {
      return &*it;
    }
  }
  return nullptr;
}

std::optional<RuleError> Ruleset::put(RuleKind kind, std::string_view rule_id, const json& body,
                                      std::optional<std::string_view> before,
                                      std::optional<std::string_view> after) {
  auto parsed = parse_rule(kind, rule_id, body, false);
  if (!parsed) {
    return parsed.error();
  }
  auto& users = user_[index(kind)];
  auto existing = std::find_if(users.begin(), users.end(), by_id(rule_id));
  if (existing != users.end()) {
    parsed->enabled = existing->enabled;
  }
  const std::optional<std::string_view> anchor = before ? before : after;
  if (!anchor && existing != users.end()) {
    *existing = std::move(*parsed);
    return std::nullopt;
  }
  if (anchor) {
    if (*anchor == rule_id) {
      return RuleError{RuleErrorCode::bad_rule_id, "a rule cannot be placed relative to itself"};
    }
    if (std::none_of(users.begin(), users.end(), by_id(*anchor))) {
      return not_found(kind, *anchor);
    }
  }
  if (existing != users.end()) {
    users.erase(existing);
  }
  auto position = users.begin();
  if (anchor) {
    position = std::find_if(users.begin(), users.end(), by_id(*anchor));
    if (!before) {
      ++position;
    }
  }
  users.insert(position, std::move(*parsed));
  return std::nullopt;
}

std::optional<RuleError> Ruleset::remove(RuleKind kind, std::string_view rule_id) {
  auto& users = user_[index(kind)];
  const auto it = std::find_if(users.begin(), users.end(), by_id(rule_id));
  if (it != users.end()) {
    users.erase(it);
    return std::nullopt;
  }
  if (find_mutable(kind, rule_id) != nullptr) {
    return RuleError{RuleErrorCode::default_rule, "server-default rules cannot be deleted"};
  }
  return not_found(kind, rule_id);
}

std::optional<RuleError> Ruleset::set_enabled(RuleKind kind, std::string_view rule_id,
                                              bool enabled) {
  Rule* rule = find_mutable(kind, rule_id);
  if (rule == nullptr) {
    return not_found(kind, rule_id);
  }
  rule->enabled = enabled;
  return std::nullopt;
}

std::optional<RuleError> Ruleset::set_actions(RuleKind kind, std::string_view rule_id,
                                              const json& actions) {
  Rule* rule = find_mutable(kind, rule_id);
  if (rule == nullptr) {
    return not_found(kind, rule_id);
  }
  auto parsed = parse_actions(actions);
  if (!parsed) {
    return parsed.error();
  }
  rule->actions = std::move(*parsed);
  rule->summary = summarize_actions(rule->actions);
  return std::nullopt;
}

}  // namespace ranvier::push
