#pragma once
// The fields of a PDU that the auth rules read, taken in one pass over its top-level members.
// The rules consult the same few fields many times per check (and state resolution checks
// against the same state events again and again), so reading them once replaces a JSON object
// search per read.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ranvier::auth {

struct EventFields;
/// A callback for the top-level members that EventFields does not read.
using OtherMember = std::function<void(std::string_view key, const nlohmann::json& value)>;

/// A parsed view of one PDU. Missing or mistyped fields read as empty, as with EventView; the
/// views and pointers point into the PDU, which must outlive the fields.
struct EventFields {
  /// The PDU itself (never null once read).
  const nlohmann::json* pdu = nullptr;
  /// `event_id` as carried by the PDU (fixtures and v1/v2 events carry one).
  std::string_view event_id;
  /// `type`.
  std::string_view type;
  /// `sender`.
  std::string_view sender;
  /// `state_key`; meaningful only when `is_state`.
  std::string_view state_key;
  /// True if the PDU has a string `state_key`.
  bool is_state = false;
  /// True if the PDU has a `room_id` member of any type.
  bool has_room_id = false;
  /// `room_id` if it is a string, else empty.
  std::string_view room_id;
  /// `content`; an empty object when missing or not an object (never null once read).
  const nlohmann::json* content = nullptr;
  /// `prev_events` as found (any type), or null when absent.
  const nlohmann::json* prev_events = nullptr;
  /// `auth_events` as found (any type), or null when absent.
  const nlohmann::json* auth_events = nullptr;

  /// `content.membership` if it is a string.
  std::optional<std::string_view> membership() const;
  /// `content.join_rule` if it is a string.
  std::optional<std::string_view> join_rule() const;
  /// Number of entries in `prev_events` (whatever their shape).
  std::size_t prev_event_count() const;

 private:
  friend EventFields read_event_fields(const nlohmann::json& pdu, const OtherMember& other);
  // Read with the rest for the event types that carry them; the accessors fall back to a
  // lookup for events of another type (a state set may hold any event under any key).
  std::optional<std::string_view> membership_;
  std::optional<std::string_view> join_rule_;
};

/// Reads the fields of `pdu` (any JSON value; a non-object reads as all empty). `other`, if
/// set, sees every top-level member the fields do not take, in the same pass.
EventFields read_event_fields(const nlohmann::json& pdu, const OtherMember& other = {});

}  // namespace ranvier::auth
