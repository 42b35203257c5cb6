#pragma once
// The push-rule data model (client-server API, "Push Rules"): kinds, conditions, actions, and
// their parsing from / rendering to the `/pushrules` JSON wire format.

#include "core/expected.hpp"
#include "push/glob.hpp"
#include "push/property_path.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::push {

/// The rule kinds, in the order they are evaluated.
enum class RuleKind { override_rule, content, room, sender, underride };

/// All kinds in evaluation order.
inline constexpr RuleKind kAllKinds[] = {RuleKind::override_rule, RuleKind::content,
                                         RuleKind::room, RuleKind::sender, RuleKind::underride};

/// The wire name of a kind (`override`, `content`, ...).
std::string_view kind_name(RuleKind kind);
/// Parses a wire kind name; nullopt for anything else.
std::optional<RuleKind> parse_kind(std::string_view name);

/// Why a rule, condition, action list or ruleset change was refused. The `/pushrules` handlers
/// map these onto Matrix errors (see each value).
enum class RuleErrorCode {
  unknown_kind,         ///< not one of the five kinds (M_INVALID_PARAM / 400)
  bad_rule_id,          ///< empty, starts with `.` for a user rule, or wrong for room/sender
  malformed_rule,       ///< body not an object, missing `pattern`, bad `conditions` (M_BAD_JSON)
  malformed_condition,  ///< a condition without `kind` or missing/ill-typed parameters
  unknown_action,       ///< an action that is neither known nor historical (M_INVALID_PARAM)
  not_found,            ///< the rule (or `before`/`after` anchor) does not exist (M_NOT_FOUND)
  default_rule,         ///< the operation is not allowed on a server-default rule
};

/// A refusal with a human-readable reason (for the error body's `error`).
struct RuleError {
  RuleErrorCode code;
  std::string message;
};

/// Kinds of condition the server understands; `unknown` never matches (spec: unrecognised
/// conditions make the rule effectively disabled) but is kept so it renders back unchanged.
enum class ConditionKind {
  event_match,
  event_property_is,
  event_property_contains,
  contains_display_name,
  room_member_count,
  sender_notification_permission,
  unknown,
};

/// Comparison of `room_member_count`'s `is` parameter.
enum class CountOp { eq, lt, gt, le, ge };

/// One parsed condition. Only the fields its kind uses are meaningful.
struct Condition {
  ConditionKind kind = ConditionKind::unknown;
  nlohmann::json source;          ///< the condition as given, rendered back verbatim
  PropertyPath path;              ///< event_match, event_property_is/contains
  std::optional<Glob> glob;       ///< event_match
  GlobScope scope = GlobScope::whole_value;  ///< word_boundary when the key is content.body
  nlohmann::json value;           ///< event_property_is/contains (a non-compound value)
  CountOp op = CountOp::eq;       ///< room_member_count
  std::int64_t count = 0;         ///< room_member_count
  std::string notification_key;   ///< sender_notification_permission
};

/// What a matched rule asks for, precomputed from its `actions`.
struct ActionSummary {
  bool notify = false;
  bool highlight = false;             ///< `highlight` tweak, true when given without a value
  std::optional<std::string> sound;   ///< `sound` tweak when it is a string
  nlohmann::json tweaks = nlohmann::json::object();  ///< every tweak, for the push gateway
};

/// One rule of any kind.
struct Rule {
  std::string rule_id;
  bool is_default = false;
  bool enabled = true;
  nlohmann::json actions = nlohmann::json::array();  ///< historical actions already stripped
  ActionSummary summary;
  std::vector<Condition> conditions;  ///< override and underride rules
  std::optional<Glob> pattern;        ///< content rules
};

/// Parses one condition object.
core::Expected<Condition, RuleError> parse_condition(const nlohmann::json& condition);

/// Validates an `actions` array: strips `dont_notify`/`coalesce`, refuses unknown actions.
core::Expected<nlohmann::json, RuleError> parse_actions(const nlohmann::json& actions);

/// Summarises a validated actions array.
ActionSummary summarize_actions(const nlohmann::json& actions);

/// Parses a rule body (`actions`, plus `conditions` or `pattern` by kind) as PUT or stored.
/// Checks `rule_id` for user rules (non-empty, no leading `.`; a room ID for `room`, a user ID
/// for `sender`). `enabled` is taken from the body when present, else true.
core::Expected<Rule, RuleError> parse_rule(RuleKind kind, std::string_view rule_id,
                                           const nlohmann::json& body, bool is_default);

/// Renders a rule in the wire format (`rule_id`, `default`, `enabled`, `actions`, and
/// `conditions` for override/underride or `pattern` for content).
nlohmann::json rule_to_json(RuleKind kind, const Rule& rule);

}  // namespace ranvier::push
