#pragma once
// Evaluating one event against one user's push rules (client-server API, "Push Rules").

#include "push/rule.hpp"
#include "push/ruleset.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace ranvier::push {

/// What the conditions may look at besides the event itself. Views must outlive the call.
struct PushContext {
  std::int64_t member_count = 0;      ///< joined members of the room, for room_member_count
  std::string_view display_name;      ///< the user's display name in the room ("" if none)
  std::int64_t sender_power_level = 0;
  /// The `notifications` object of the room's m.room.power_levels content, or nullptr when the
  /// room has none; a missing key requires power level 50 (the spec's default for `room`).
  const nlohmann::json* notification_levels = nullptr;
};

/// The highest-priority enabled rule that matched, with its precomputed actions.
struct PushMatch {
  RuleKind kind;
  const Rule* rule;  ///< points into the Ruleset evaluated
  const ActionSummary& actions() const { return rule->summary; }
};

/// The first matching enabled rule for `event` (client or PDU format), or nullopt when none
/// matches or the user sent the event (the spec forbids notifying for one's own events).
std::optional<PushMatch> evaluate(const Ruleset& rules, const nlohmann::json& event,
                                  const PushContext& context);

/// True if `condition` holds for `event` in `context` (one condition alone; unknown kinds never
/// hold).
bool condition_matches(const Condition& condition, const nlohmann::json& event,
                       const PushContext& context);

}  // namespace ranvier::push
