#include "core/auth/event_fields.hpp"

#include "core/auth/event_view.hpp"

namespace ranvier::auth {
namespace {

constexpr std::string_view member_type = "m.room.member";
constexpr std::string_view join_rules_type = "m.room.join_rules";

const nlohmann::json& empty_object() {
  static const nlohmann::json empty = nlohmann::json::object();
  return empty;
}

// get_ptr checks the type once; get_ref goes through conversion code with a throw path.
std::string_view string_or_empty(const nlohmann::json& value) {
  const auto* text = value.get_ptr<const nlohmann::json::string_t*>();
  return text != nullptr ? std::string_view(*text) : std::string_view{};
}

}  // namespace

std::optional<std::string_view> EventFields::membership() const {
  if (type == member_type) {
    return has_content_string_ ? std::optional(content_string_) : std::nullopt;
  }
  return string_member(*content, "membership");
}

std::optional<std::string_view> EventFields::join_rule() const {
  if (type == join_rules_type) {
    return has_content_string_ ? std::optional(content_string_) : std::nullopt;
  }
  return string_member(*content, "join_rule");
}

std::string_view EventFields::event_id() const { return string_member(*pdu, "event_id").value_or(""); }

const nlohmann::json* EventFields::prev_events() const { return member(*pdu, "prev_events"); }

std::size_t EventFields::prev_event_count() const {
  const auto* list = prev_events();
  return list != nullptr && list->is_array() ? list->size() : 0;
}

EventFields read_event_fields(const nlohmann::json& pdu, const OtherMember& other) {
  EventFields f;
  f.pdu = &pdu;
  f.content = &empty_object();
  const auto* object = pdu.get_ptr<const nlohmann::json::object_t*>();
  if (object == nullptr) {
    return f;
  }
  // The length decides which name a key can be before any bytes are compared.
  for (const auto& [key, value] : *object) {
    std::string_view k = key;
    bool taken = true;
    switch (k.size()) {
      case 4:
        taken = k == "type";
        if (taken) {
          f.type = string_or_empty(value);
        }
        break;
      case 6:
        taken = k == "sender";
        if (taken) {
          f.sender = string_or_empty(value);
        }
        break;
      case 7:
        if (k == "room_id") {
          f.has_room_id = true;
          f.room_id = string_or_empty(value);
        } else if (k == "content") {
          if (value.is_object()) {
            f.content = &value;
          }
        } else {
          taken = false;
        }
        break;
      case 9:
        taken = k == "state_key";
        if (taken) {
          f.is_state = value.is_string();
          f.state_key = string_or_empty(value);
        }
        break;
      default:
        taken = false;
        break;
    }
    if (!taken && other) {
      other(k, value);
    }
  }
  std::optional<std::string_view> content_string;
  if (f.type == member_type) {
    content_string = string_member(*f.content, "membership");
  } else if (f.type == join_rules_type) {
    content_string = string_member(*f.content, "join_rule");
  }
  f.has_content_string_ = content_string.has_value();
  f.content_string_ = content_string.value_or(std::string_view{});
  return f;
}

}  // namespace ranvier::auth
