#include "push/evaluate.hpp"

#include <charconv>
#include <string>
#include <system_error>

namespace ranvier::push {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultNotificationLevel = 50;

// Exact comparison of non-compound values without casting between types; integers compare by
// value whatever nlohmann's signed/unsigned storage is.
bool same_scalar(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    if (a.is_number_unsigned() != b.is_number_unsigned()) {
      const json& u = a.is_number_unsigned() ? a : b;
      const json& s = a.is_number_unsigned() ? b : a;
      return s.get<std::int64_t>() >= 0 &&
             static_cast<std::uint64_t>(s.get<std::int64_t>()) == u.get<std::uint64_t>();
    }
    return a == b;
  }
  if (a.type() != b.type()) {
    return false;
  }
  if (a.is_string() || a.is_boolean() || a.is_null()) {
    return a == b;
  }
  return false;
}

const std::string* string_at(const json& event, const PropertyPath& path) {
  const json* value = find_property(event, path);
  return value != nullptr && value->is_string() ? value->get_ptr<const std::string*>() : nullptr;
}

bool member_count_matches(const Condition& c, std::int64_t members) {
  switch (c.op) {
    case CountOp::eq:
      return members == c.count;
    case CountOp::lt:
      return members < c.count;
    case CountOp::gt:
      return members > c.count;
    case CountOp::le:
      return members <= c.count;
    case CountOp::ge:
      return members >= c.count;
  }
  return false;
}

std::int64_t required_level(const PushContext& context, const std::string& key) {
  if (context.notification_levels != nullptr && context.notification_levels->is_object()) {
    const auto it = context.notification_levels->find(key);
    if (it != context.notification_levels->end() && it->is_number_integer()) {
      return it->get<std::int64_t>();
    }
    // Room versions before 10 allow power levels written as strings of digits.
    if (it != context.notification_levels->end() && it->is_string()) {
      std::int64_t level = 0;
      const auto& text = it->get_ref<const std::string&>();
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), level);
      if (error == std::errc() && end == text.data() + text.size()) {
        return level;
      }
    }
  }
  return kDefaultNotificationLevel;
}

const PropertyPath& body_path() {
  static const PropertyPath path{"content", "body"};
  return path;
}

bool rule_matches(RuleKind kind, const Rule& rule, const json& event,
                  const PushContext& context) {
  if (!rule.enabled) {
    return false;
  }
  switch (kind) {
    case RuleKind::override_rule:
    case RuleKind::underride:
      for (const Condition& c : rule.conditions) {
        if (!condition_matches(c, event, context)) {
          return false;
        }
      }
      return true;
    case RuleKind::content: {
      const std::string* body = string_at(event, body_path());
      return body != nullptr && rule.pattern && rule.pattern->matches(*body, GlobScope::word_boundary);
    }
    case RuleKind::room: {
      const auto room = event.find("room_id");
      return room != event.end() && room->is_string() && *room == rule.rule_id;
    }
    case RuleKind::sender: {
      const auto sender = event.find("sender");
      return sender != event.end() && sender->is_string() && *sender == rule.rule_id;
    }
  }
  return false;
}

}  // namespace

bool condition_matches(const Condition& c, const json& event, const PushContext& context) {
  switch (c.kind) {
    case ConditionKind::event_match: {
      const std::string* value = string_at(event, c.path);
      return value != nullptr && c.glob->matches(*value, c.scope);
    }
    case ConditionKind::event_property_is: {
      const json* value = find_property(event, c.path);
      return value != nullptr && same_scalar(*value, c.value);
    }
    case ConditionKind::event_property_contains: {
      const json* value = find_property(event, c.path);
      if (value == nullptr || !value->is_array()) {
        return false;
      }
      for (const json& element : *value) {
        if (same_scalar(element, c.value)) {
          return true;
        }
      }
      return false;
    }
    case ConditionKind::contains_display_name: {
      const std::string* body = string_at(event, body_path());
      return body != nullptr && contains_word(*body, context.display_name);
    }
    case ConditionKind::room_member_count:
      return member_count_matches(c, context.member_count);
    case ConditionKind::sender_notification_permission:
      return context.sender_power_level >= required_level(context, c.notification_key);
    case ConditionKind::unknown:
      return false;
  }
  return false;
}

std::optional<PushMatch> evaluate(const Ruleset& rules, const json& event,
                                  const PushContext& context) {
  if (!event.is_object()) {
    return std::nullopt;
  }
  const auto sender = event.find("sender");
  if (sender != event.end() && sender->is_string() && *sender == rules.user_id()) {
    return std::nullopt;
  }
  RuleKind kind = RuleKind::override_rule;
  const Rule* rule = rules.walk(
      [&](RuleKind k, const Rule& r) { return rule_matches(k, r, event, context); }, &kind);
  if (rule == nullptr) {
    return std::nullopt;
  }
  return PushMatch{kind, rule};
}

}  // namespace ranvier::push
