#include "core/auth/power_levels.hpp"

#include <cctype>
#include <cmath>

#include "core/auth/event_view.hpp"

namespace ranvier::auth {
namespace {

constexpr PowerLevel max_finite = PowerLevel{1} << 62;

PowerLevel clamp(long double v) {
  if (v > static_cast<long double>(max_finite)) {
    return max_finite;
  }
  if (v < -static_cast<long double>(max_finite)) {
    return -max_finite;
  }
  return static_cast<PowerLevel>(v);
}

// v1-stringy-power-levels: optional whitespace, one optional sign, decimal digits (leading
// zeros allowed), optional whitespace; nothing else.
std::optional<PowerLevel> parse_integer_string(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) {
    return std::nullopt;
  }
  PowerLevel value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    if (value < max_finite) {
      value = value * 10 + (c - '0');
    }
  }
  if (value > max_finite) {
    value = max_finite;
  }
  return negative ? -value : value;
}

}  // namespace

std::optional<PowerLevel> parse_power_level(const nlohmann::json& value, const core::RoomVersion& version) {
  if (value.is_number_integer()) {
    return clamp(static_cast<long double>(value.get<std::int64_t>()));
  }
  if (value.is_number_unsigned()) {
    return clamp(static_cast<long double>(value.get<std::uint64_t>()));
  }
  if (version.integer_power_levels) {
    return std::nullopt;
  }
  if (value.is_string()) {
    return parse_integer_string(value.get_ref<const std::string&>());
  }
  // v1-floaty-power-levels: floats are truncated, until canonical JSON is enforced (v6).
  if (value.is_number_float() && !version.strict_canonical_json) {
    double d = value.get<double>();
    if (!std::isfinite(d)) {
      return std::nullopt;
    }
    return clamp(std::trunc(static_cast<long double>(d)));
  }
  return std::nullopt;
}

namespace {

bool is_creator(std::string_view create_sender, const nlohmann::json& create_content, std::string_view user_id,
                const core::RoomVersion& version) {
  if (!version.implicit_room_creator) {
    return string_member(create_content, "creator") == user_id;
  }
  if (create_sender == user_id) {
    return true;
  }
  if (!version.privileged_creators) {
    return false;
  }
  const auto* extra = member(create_content, "additional_creators");
  if (extra == nullptr || !extra->is_array()) {
    return false;
  }
  for (const auto& entry : *extra) {
    if (entry.is_string() && entry.get_ref<const std::string&>() == user_id) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_room_creator(const nlohmann::json& create_event, std::string_view user_id,
                     const core::RoomVersion& version) {
  EventView create(create_event);
  return is_creator(create.sender(), create.content(), user_id, version);
}

bool is_room_creator(const EventFields& create, std::string_view user_id, const core::RoomVersion& version) {
  return is_creator(create.sender, *create.content, user_id, version);
}

PowerLevelsFields read_power_levels_fields(const nlohmann::json* content) {
  PowerLevelsFields f;
  const auto* object = content != nullptr ? content->get_ptr<const nlohmann::json::object_t*>() : nullptr;
  if (object == nullptr) {
    return f;
  }
  for (const auto& [key, value] : *object) {
    std::string_view k = key;
    if (k == "users") {
      f.users = &value;
    } else if (k == "events") {
      f.events = &value;
    } else if (k == "notifications") {
      f.notifications = &value;
    } else {
      for (std::size_t i = 0; i < PowerLevelsFields::named_count; ++i) {
        if (PowerLevelsFields::names[i] == k) {
          f.named[i] = &value;
          break;
        }
      }
    }
  }
  return f;
}

PowerLevels::PowerLevels(const nlohmann::json* power_levels, const nlohmann::json& create_event,
                         const core::RoomVersion& version)
    : create_sender_(EventView(create_event).sender()),
      create_content_(&EventView(create_event).content()),
      version_(&version) {
  if (power_levels != nullptr) {
    content_ = &EventView(*power_levels).content();
    fields_ = read_power_levels_fields(content_);
  }
}

PowerLevels::PowerLevels(const EventFields* power_levels, const EventFields& create_event,
                         const core::RoomVersion& version)
    : content_(power_levels != nullptr ? power_levels->content : nullptr),
      fields_(read_power_levels_fields(content_)),
      create_sender_(create_event.sender),
      create_content_(create_event.content),
      version_(&version) {}

std::optional<PowerLevel> PowerLevels::level(const nlohmann::json* value) const {
  return value == nullptr ? std::nullopt : parse_power_level(*value, *version_);
}

PowerLevel PowerLevels::user_level(std::string_view user_id) const {
  if (version_->privileged_creators && is_creator(create_sender_, *create_content_, user_id, *version_)) {
    return infinite_power;
  }
  if (content_ == nullptr) {
    return is_creator(create_sender_, *create_content_, user_id, *version_) ? 100 : 0;
  }
  if (fields_.users != nullptr) {
    if (auto parsed = level(member(*fields_.users, user_id))) {
      return *parsed;
    }
  }
  return level(fields_.named[PowerLevelsFields::users_default]).value_or(0);
}

PowerLevel PowerLevels::event_level(std::string_view type, bool is_state) const {
  if (content_ == nullptr) {
    return 0;
  }
  if (fields_.events != nullptr) {
    if (auto parsed = level(member(*fields_.events, type))) {
      return *parsed;
    }
  }
  return is_state ? level(fields_.named[PowerLevelsFields::state_default]).value_or(50)
                  : level(fields_.named[PowerLevelsFields::events_default]).value_or(0);
}

PowerLevel PowerLevels::named_level(std::string_view name) const {
  const nlohmann::json* value = nullptr;
  bool known = false;
  for (std::size_t i = 0; i < PowerLevelsFields::named_count && !known; ++i) {
    known = PowerLevelsFields::names[i] == name;
    value = known ? fields_.named[i] : nullptr;
  }
  if (!known && content_ != nullptr) {
    // Names outside the spec's list are looked up as they always were.
    value = member(*content_, name);
  }
  return level(value).value_or(name == "invite" ? 0 : 50);
}

}  // namespace ranvier::auth
