#include "push/rule.hpp"

#include "core/identifiers.hpp"

#include <array>
#include <utility>

namespace ranvier::push {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;

RuleError error(RuleErrorCode code, std::string message) {
  return RuleError{code, std::move(message)};
}

// Strings, integers within the canonical-JSON range, booleans and null.
bool is_non_compound(const json& v) {
  if (v.is_string() || v.is_boolean() || v.is_null()) {
    return true;
  }
  if (v.is_number_unsigned()) {
    return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxSafeInteger);
  }
  if (v.is_number_integer()) {
    const auto n = v.get<std::int64_t>();
    return n >= -kMaxSafeInteger && n <= kMaxSafeInteger;
  }
  return false;
}

const std::string* string_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return nullptr;
  }
  return it->get_ptr<const std::string*>();
}

// `is` of room_member_count: optional ==, <, >, <=, >= then one or more decimal digits.
bool parse_member_count(std::string_view is, CountOp& op, std::int64_t& count) {
  static constexpr std::array<std::pair<std::string_view, CountOp>, 5> prefixes{{
      {"==", CountOp::eq}, {"<=", CountOp::le}, {">=", CountOp::ge},
      {"<", CountOp::lt}, {">", CountOp::gt},
  }};
  op = CountOp::eq;
  for (const auto& [prefix, prefix_op] : prefixes) {
    if (is.substr(0, prefix.size()) == prefix) {
      op = prefix_op;
      is.remove_prefix(prefix.size());
      break;
    }
  }
  if (is.empty() || is.size() > 18) {
    return false;
  }
  count = 0;
  for (const char c : is) {
    if (c < '0' || c > '9') {
      return false;
    }
    count = count * 10 + (c - '0');
  }
  return true;
}

core::Expected<Condition, RuleError> malformed(std::string message) {
  return core::fail(error(RuleErrorCode::malformed_condition, std::move(message)));
}

}  // namespace

std::string_view kind_name(RuleKind kind) {
  switch (kind) {
    case RuleKind::override_rule:
      return "override";
    case RuleKind::content:
      return "content";
    case RuleKind::room:
      return "room";
    case RuleKind::sender:
      return "sender";
    case RuleKind::underride:
      return "underride";
  }
  return "override";
}

std::optional<RuleKind> parse_kind(std::string_view name) {
  for (const RuleKind kind : kAllKinds) {
    if (kind_name(kind) == name) {
      return kind;
    }
  }
  return std::nullopt;
}

core::Expected<Condition, RuleError> parse_condition(const json& source) {
  if (!source.is_object()) {
    return malformed("a condition must be an object");
  }
  const std::string* kind = string_field(source, "kind");
  if (kind == nullptr) {
    return malformed("a condition needs a string 'kind'");
  }
  Condition c;
  c.source = source;
  const std::string* key = string_field(source, "key");
  if (*kind == "event_match") {
    const std::string* pattern = string_field(source, "pattern");
    if (key == nullptr || pattern == nullptr) {
      return malformed("event_match needs string 'key' and 'pattern'");
    }
    c.kind = ConditionKind::event_match;
    c.path = parse_property_path(*key);
    c.glob.emplace(*pattern);
    c.scope = *key == "content.body" ? GlobScope::word_boundary : GlobScope::whole_value;
  } else if (*kind == "event_property_is" || *kind == "event_property_contains") {
    const auto value = source.find("value");
    if (key == nullptr || value == source.end() || !is_non_compound(*value)) {
      return malformed(*kind + " needs a string 'key' and a non-compound 'value'");
    }
    c.kind = *kind == "event_property_is" ? ConditionKind::event_property_is
                                          : ConditionKind::event_property_contains;
    c.path = parse_property_path(*key);
    c.value = *value;
  } else if (*kind == "contains_display_name") {
    c.kind = ConditionKind::contains_display_name;
  } else if (*kind == "room_member_count") {
    const std::string* is = string_field(source, "is");
    if (is == nullptr || !parse_member_count(*is, c.op, c.count)) {
      return malformed("room_member_count needs 'is' like '2', '>=10' or '<5'");
    }
    c.kind = ConditionKind::room_member_count;
  } else if (*kind == "sender_notification_permission") {
    if (key == nullptr) {
      return malformed("sender_notification_permission needs a string 'key'");
    }
    c.kind = ConditionKind::sender_notification_permission;
    c.notification_key = *key;
  } else {
    c.kind = ConditionKind::unknown;
  }
  return c;
}

core::Expected<json, RuleError> parse_actions(const json& actions) {
  if (!actions.is_array()) {
    return core::fail(error(RuleErrorCode::malformed_rule, "'actions' must be an array"));
  }
  json kept = json::array();
  for (const json& action : actions) {
    if (action.is_string()) {
      const auto& name = action.get_ref<const std::string&>();
      if (name == "dont_notify" || name == "coalesce") {
        continue;  // historical actions: the spec says to strip them
      }
      if (name != "notify") {
        return core::fail(error(RuleErrorCode::unknown_action, "unknown action '" + name + "'"));
      }
    } else if (!action.is_object() || string_field(action, "set_tweak") == nullptr) {
      return core::fail(
          error(RuleErrorCode::unknown_action, "an action must be 'notify' or a set_tweak object"));
    }
    kept.push_back(action);
  }
  return kept;
}

ActionSummary summarize_actions(const json& actions) {
  ActionSummary summary;
  for (const json& action : actions) {
    if (action.is_string()) {
      summary.notify = summary.notify || action == "notify";
      continue;
    }
    const auto& tweak = action.at("set_tweak").get_ref<const std::string&>();
    const auto value = action.find("value");
    if (tweak == "highlight") {
      summary.highlight = value == action.end() || (value->is_boolean() && value->get<bool>());
    } else if (tweak == "sound" && value != action.end() && value->is_string()) {
      summary.sound = value->get<std::string>();
    }
    summary.tweaks[tweak] = value == action.end() ? json(true) : *value;
  }
  return summary;
}

core::Expected<Rule, RuleError> parse_rule(RuleKind kind, std::string_view rule_id,
                                           const json& body, bool is_default) {
  if (rule_id.empty()) {
    return core::fail(error(RuleErrorCode::bad_rule_id, "rule_id must not be empty"));
  }
  if (!is_default) {
    if (rule_id.front() == '.') {
      return core::fail(error(RuleErrorCode::bad_rule_id,
                              "rule_ids starting with '.' are reserved for server-default rules"));
    }
    if (kind == RuleKind::room && rule_id.front() != '!') {
      return core::fail(error(RuleErrorCode::bad_rule_id, "a room rule's rule_id is a room ID"));
    }
    if (kind == RuleKind::sender && !core::is_valid_user_id(rule_id)) {
      return core::fail(error(RuleErrorCode::bad_rule_id, "a sender rule's rule_id is a user ID"));
    }
  }
  if (!body.is_object()) {
    return core::fail(error(RuleErrorCode::malformed_rule, "a rule must be an object"));
  }
  const auto actions = body.find("actions");
  if (actions == body.end()) {
    return core::fail(error(RuleErrorCode::malformed_rule, "a rule needs 'actions'"));
  }
  auto parsed_actions = parse_actions(*actions);
  if (!parsed_actions) {
    return core::fail(parsed_actions.error());
  }
  Rule rule;
  rule.rule_id = std::string(rule_id);
  rule.is_default = is_default;
  rule.actions = std::move(*parsed_actions);
  rule.summary = summarize_actions(rule.actions);
  if (const auto enabled = body.find("enabled"); enabled != body.end()) {
    if (!enabled->is_boolean()) {
      return core::fail(error(RuleErrorCode::malformed_rule, "'enabled' must be a boolean"));
    }
    rule.enabled = enabled->get<bool>();
  }
  if (kind == RuleKind::content) {
    const std::string* pattern = string_field(body, "pattern");
    if (pattern == nullptr) {
      return core::fail(error(RuleErrorCode::malformed_rule, "a content rule needs 'pattern'"));
    }
    rule.pattern.emplace(*pattern);
  }
  if (kind == RuleKind::override_rule || kind == RuleKind::underride) {
    if (const auto conditions = body.find("conditions"); conditions != body.end()) {
      if (!conditions->is_array()) {
        return core::fail(error(RuleErrorCode::malformed_rule, "'conditions' must be an array"));
      }
      for (const json& source : *conditions) {
        auto condition = parse_condition(source);
        if (!condition) {
          return core::fail(condition.error());
        }
        rule.conditions.push_back(std::move(*condition));
      }
    }
  }
  return rule;
}

json rule_to_json(RuleKind kind, const Rule& rule) {
  json out = {{"rule_id", rule.rule_id},
              {"default", rule.is_default},
              {"enabled", rule.enabled},
              {"actions", rule.actions}};
  if (kind == RuleKind::content && rule.pattern) {
    out["pattern"] = rule.pattern->pattern();
  }
  if (kind == RuleKind::override_rule || kind == RuleKind::underride) {
    json conditions = json::array();
    for (const Condition& c : rule.conditions) {
      conditions.push_back(c.source);
    }
    out["conditions"] = std::move(conditions);
  }
  return out;
}

}  // namespace ranvier::push
