#pragma once
// Power levels as the auth rules read them: per-version value parsing (v1–v5 accept integers,
// integer strings and floats; v6–v9 integers and strings; v10+ integers only), defaults, and room
// creators (v12: infinite power).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/auth/event_fields.hpp"
#include "core/room_version.hpp"

namespace ranvier::auth {

/// A power level. Values are clamped to ±2^62 so that `infinite_power` stays above them all.
using PowerLevel = std::int64_t;

/// The level of a v12 room creator.
inline constexpr PowerLevel infinite_power = std::numeric_limits<std::int64_t>::max();

/// Parses one power-level value under the version's rules; nullopt when it is not acceptable.
std::optional<PowerLevel> parse_power_level(const nlohmann::json& value, const core::RoomVersion& version);

/// True if `user_id` is one of the room's creators as the create event defines them: v1–v10
/// `content.creator`, v11 the sender, v12 the sender and `content.additional_creators`.
bool is_room_creator(const nlohmann::json& create_event, std::string_view user_id,
                     const core::RoomVersion& version);
/// As above, for a create event already read.
bool is_room_creator(const EventFields& create_event, std::string_view user_id, const core::RoomVersion& version);

/// The members of a power-levels content that the rules read, found in one pass over it
/// (null where absent; values of any type, as found).
struct PowerLevelsFields {
  /// Indexes of the named levels.
  enum Named : std::size_t { users_default, events_default, state_default, ban, redact, kick, invite, named_count };
  /// Their names, by index.
  static constexpr std::string_view names[named_count] = {"users_default", "events_default", "state_default", "ban",
                                                          "redact",        "kick",           "invite"};
  /// Their values, by index.
  const nlohmann::json* named[named_count] = {};
  /// `users`.
  const nlohmann::json* users = nullptr;
  /// `events`.
  const nlohmann::json* events = nullptr;
  /// `notifications`.
  const nlohmann::json* notifications = nullptr;
};

/// Reads the members of `content` (null or a non-object reads as all absent).
PowerLevelsFields read_power_levels_fields(const nlohmann::json* content);

/// Levels of one room state: the current `m.room.power_levels` content (if any) plus the create
/// event that defines the creators. Holds pointers; both events must outlive it.
class PowerLevels {
 public:
  /// `power_levels` may be null (no power-levels event in the state).
  PowerLevels(const nlohmann::json* power_levels, const nlohmann::json& create_event,
              const core::RoomVersion& version);
  /// As above, for events already read.
  PowerLevels(const EventFields* power_levels, const EventFields& create_event, const core::RoomVersion& version);

  /// A user's level: creators' infinite power (v12), `users`, `users_default`, or the
  /// no-power-levels-event default (creator 100, others 0).
  PowerLevel user_level(std::string_view user_id) const;
  /// The level needed to send an event of `type` (`events`, then state/events default).
  PowerLevel event_level(std::string_view type, bool is_state) const;
  /// A named level such as `ban`, `kick`, `redact`, `invite` with its default.
  PowerLevel named_level(std::string_view name) const;

  /// The `content` of the power-levels event, or nullptr.
  const nlohmann::json* content() const { return content_; }
  /// The members of that content (all absent without a power-levels event).
  const PowerLevelsFields& fields() const { return fields_; }

 private:
  std::optional<PowerLevel> level(const nlohmann::json* value) const;

  const nlohmann::json* content_ = nullptr;
  PowerLevelsFields fields_;
  // What defines the creators: the create event's sender and content (never null).
  std::string_view create_sender_;
  const nlohmann::json* create_content_ = nullptr;
  const core::RoomVersion* version_ = nullptr;
};

}  // namespace ranvier::auth
