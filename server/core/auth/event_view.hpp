#pragma once
// Typed, non-throwing reads of a PDU held as JSON, for every event format (v1 `[id, {hashes}]`
// reference pairs and the plain ID lists of v3+).

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ranvier::auth {

/// The string stored under `key` in a JSON object; nullopt if absent or not a string.
std::optional<std::string_view> string_member(const nlohmann::json& object, std::string_view key);

/// The value stored under `key` in a JSON object, or nullptr when absent (or not an object).
const nlohmann::json* member(const nlohmann::json& object, std::string_view key);

/// The server name of an ID: everything after the first ':' (empty if there is none).
std::string_view server_of(std::string_view id);

/// A view over one PDU. Missing or mistyped fields read as empty values; nothing throws.
class EventView {
 public:
  /// The view keeps a pointer to `pdu`, which must outlive it.
  explicit EventView(const nlohmann::json& pdu) : pdu_(&pdu) {}

  /// The underlying JSON.
  const nlohmann::json& json() const { return *pdu_; }
  /// `event_id` as carried by the PDU (fixtures and v1/v2 events carry one).
  std::string_view event_id() const;
  /// `type`.
  std::string_view type() const;
  /// `sender`.
  std::string_view sender() const;
  /// `state_key`; nullopt for message events.
  std::optional<std::string_view> state_key() const;
  /// `room_id`; nullopt when absent (the v12 create event has none).
  std::optional<std::string_view> room_id() const;
  /// `content`; an empty object when missing or not an object.
  const nlohmann::json& content() const;
  /// `origin_server_ts`; 0 when missing.
  std::int64_t origin_server_ts() const;
  /// `depth`; 0 when missing.
  std::int64_t depth() const;
  /// IDs listed in `auth_events`, in order.
  std::vector<std::string_view> auth_event_ids() const;
  /// IDs listed in `prev_events`, in order.
  std::vector<std::string_view> prev_event_ids() const;
  /// Number of entries in `prev_events` (whatever their shape).
  std::size_t prev_event_count() const;
  /// The redacted event's ID: top-level `redacts`, else `content.redacts`.
  std::optional<std::string_view> redacts() const;
  /// True if the event has a string `state_key`.
  bool is_state() const { return state_key().has_value(); }

 private:
  const nlohmann::json* pdu_;
};

/// Calls `fn(id)` for each ID in an `auth_events`/`prev_events` array of either format.
template <typename Fn>
void for_each_reference(const nlohmann::json* list, Fn&& fn) {
  if (list == nullptr || !list->is_array()) {
    return;
  }
  for (const auto& entry : *list) {
    if (entry.is_string()) {
      fn(std::string_view(entry.get_ref<const std::string&>()));
    } else if (entry.is_array() && !entry.empty() && entry.front().is_string()) {
      fn(std::string_view(entry.front().get_ref<const std::string&>()));
    }
  }
}

}  // namespace ranvier::auth
