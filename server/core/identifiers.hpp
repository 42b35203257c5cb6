#pragma once
// Matrix identifiers: server names, user IDs, room IDs, event IDs, room aliases, device IDs.
// Spec: content/appendices.md "Identifier Grammar"; room-version-specific event and room ID
// forms in content/rooms/v3.md, v4.md and v12.md.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/room_version.hpp"

namespace ranvier::core {

/// Upper bound in bytes for user IDs, room IDs, event IDs and aliases (sigil and domain included).
inline constexpr std::size_t max_identifier_bytes = 255;
/// Length of a sha256 hash in unpadded base64, the body of hashed event IDs and v12 room IDs.
inline constexpr std::size_t hash_id_chars = 43;

/// A server name split into its host (brackets kept for IPv6 literals) and optional port.
struct ServerName {
  std::string host;
  std::optional<std::uint16_t> port;
};

/// A user ID `@localpart:server`.
struct UserId {
  std::string localpart;
  std::string server_name;
};

/// A room ID: `!opaque:server`, or in room version 12 `!<hash>` with an empty server_name.
struct RoomId {
  std::string opaque;
  std::string server_name;
};

/// Which shape an event ID has.
enum class EventIdForm {
  domain,        ///< `$opaque:server` (room versions 1 and 2).
  hash,          ///< `$` + 43 base64 characters valid in both alphabets (letters and digits only).
  hash_standard, ///< `$` + 43 standard base64 characters, at least one of `+` or `/` (v3).
  hash_url_safe, ///< `$` + 43 URL-safe base64 characters, at least one of `-` or `_` (v4+).
};

/// An event ID; server_name is empty for hash forms.
struct EventId {
  EventIdForm form;
  std::string opaque;
  std::string server_name;
};

/// A room alias `#localpart:server`.
struct RoomAlias {
  std::string localpart;
  std::string server_name;
};

/// Parses a server name per the appendix grammar (DNS name, IPv4, bracketed IPv6, port ≤ 65535).
std::optional<ServerName> parse_server_name(std::string_view s);
/// True if `s` is a valid server name.
bool is_valid_server_name(std::string_view s);

/// True if `s` obeys the current localpart grammar `[a-z0-9._=\-/+]+` (what registration accepts).
bool is_valid_user_localpart(std::string_view s);

/// Parses a user ID. With allow_historical, the localpart may be any valid UTF-8 without `:` or
/// NUL (including empty), as the spec requires for events; otherwise the strict grammar applies.
std::optional<UserId> parse_user_id(std::string_view s, bool allow_historical = true);
/// True if `s` is a valid user ID (see parse_user_id).
bool is_valid_user_id(std::string_view s, bool allow_historical = true);

/// Parses a room ID of either form (`!opaque:server` or the v12 `!<43 URL-safe base64 chars>`).
std::optional<RoomId> parse_room_id(std::string_view s);
/// True if `s` is a room ID of either form.
bool is_valid_room_id(std::string_view s);
/// True if `s` is a room ID of the form used by the given room version.
bool is_valid_room_id_for(std::string_view s, const RoomVersion& version);

/// Parses an event ID of any room version's form.
std::optional<EventId> parse_event_id(std::string_view s);
/// True if `s` is an event ID of any form.
bool is_valid_event_id(std::string_view s);
/// True if `s` is an event ID of the form the given event format produces.
bool is_valid_event_id_for(std::string_view s, EventFormat format);

/// Parses a room alias `#localpart:server` (localpart: valid UTF-8 without `:`).
std::optional<RoomAlias> parse_room_alias(std::string_view s);
/// True if `s` is a valid room alias.
bool is_valid_room_alias(std::string_view s);

/// True if `s` can be a device ID (non-empty, valid UTF-8, at most 255 bytes).
bool is_valid_device_id(std::string_view s);

/// The server name of a `@user:server`-style or `!room:server`-style ID, or empty if none.
std::string_view server_name_of(std::string_view id);

}  // namespace ranvier::core
