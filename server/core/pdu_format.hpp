#pragma once
// The first check on a received PDU: is it a well-formed event for its room version?
// (spec: content/server-server-api.md "Checks performed on receipt of a PDU", the PDU schemas
// in data/api/server-server/definitions/pdu_v*.yaml, and the size limits in
// content/client-server-api/_index.md "Size limits").

#include <cstddef>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/room_version.hpp"

namespace ranvier::core {

/// Largest PDU, in bytes of canonical JSON (signatures included).
inline constexpr std::size_t max_pdu_bytes = 65536;
/// Most entries allowed in `auth_events` and `prev_events`.
inline constexpr std::size_t max_auth_events = 10;
inline constexpr std::size_t max_prev_events = 20;

/// Why a PDU is malformed.
enum class PduFormatError {
  not_an_object,
  too_large,           ///< canonical JSON over max_pdu_bytes
  non_canonical_json,  ///< a float or out-of-range integer (room versions ≥ 6), or bad UTF-8
  missing_field,
  wrong_type,
  too_long,            ///< an identifier field over 255 bytes
  invalid_identifier,  ///< sender, room_id or an event ID of the wrong shape for the version
  too_many_events,     ///< auth_events or prev_events too long
  depth_out_of_range,
  unexpected_field,    ///< a field the version forbids (room_id on a v12 create event)
};

/// A format problem and the field it concerns (a static string; empty for whole-event problems).
struct PduFormatIssue {
  PduFormatError error;
  std::string_view field;
};

/// Short English description of an error.
std::string_view to_string(PduFormatError e);

/// Checks `pdu` against the format of `version`; nullopt if well formed.
std::optional<PduFormatIssue> check_pdu_format(const nlohmann::json& pdu, const RoomVersion& version);

}  // namespace ranvier::core
