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
  /// `type`.
  std::string_view type;
  /// `sender`.
  std::string_view sender;
  /// `state_key`; meaningful only when `is_state`.
  std::string_view state_key;
  /// `room_id` if it is a string, else empty.
  std::string_view room_id;
  /// `content`; an empty object when missing or not an object (never null once read).
  const nlohmann::json* content = nullptr;

  /// `content.membership` if it is a string.
  std::optional<std::string_view> membership() const;
  /// `content.join_rule` if it is a string.
  std::optional<std::string_view> join_rule() const;
  // Rules read these rarely (create events, the creator's first join, v1–v2 redactions), so
  // they are looked up when asked for: state resolution keeps one EventFields per event.
  /// `event_id` as carried by the PDU (fixtures and v1/v2 events carry one); empty if none.
  std::string_view event_id() const;
  /// `prev_events` as found (any type), or null when absent.
  const nlohmann::json* prev_events() const;
  /// Number of entries in `prev_events` (whatever their shape).
  std::size_t prev_event_count() const;

 private:
  friend EventFields read_event_fields(const nlohmann::json& pdu, const OtherMember& other);
  // `content.membership` of a member event or `content.join_rule` of a join-rules event, read
  // with the rest; the accessors look the content up for events of any other type (a state
  // set may hold any event under any key).
  std::string_view content_string_;

 public:
  /// True if the PDU has a string `state_key`.
  bool is_state = false;
  /// True if the PDU has a `room_id` member of any type.
  bool has_room_id = false;

 private:
  // Whether content_string_ holds a string (the flags sit together at the end, where a
  // derived struct's small members can share their padding).
  bool has_content_string_ = false;
};

/// Reads the fields of `pdu` (any JSON value; a non-object reads as all empty). `other`, if
/// set, sees every top-level member the fields do not take, in the same pass.
EventFields read_event_fields(const nlohmann::json& pdu, const OtherMember& other = {});

}  // namespace ranvier::auth
