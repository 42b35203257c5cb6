#include "core/identifiers.hpp"

#include <arpa/inet.h>

#include "core/utf8.hpp"

namespace ranvier::core {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Matches the grammar's IPv4address shape: four dot-separated groups of 1-3 digits.
// Writes whether every group is within 0-255 to `in_range`.
bool is_ipv4_shaped(std::string_view s, bool& in_range) {
  in_range = true;
  int groups = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    int value = 0;
    while (i < s.size() && is_digit(s[i])) {
      value = value * 10 + (s[i] - '0');
      ++i;
      if (i - start > 3) {
        return false;
      }
    }
    if (i == start) {
      return false;
    }
    in_range = in_range && value <= 255;
    ++groups;
    if (i == s.size()) {
      return groups == 4;
    }
    if (s[i] != '.' || groups == 4) {
      return false;
    }
    ++i;
  }
}

bool is_ipv6_literal(std::string_view inner) {
  // Grammar: 2*45 of [0-9A-Fa-f:.]; RFC 3513 validity is checked by inet_pton.
  if (inner.size() < 2 || inner.size() > 45) {
    return false;
  }
  for (char c : inner) {
    if (!is_hex(c) && c != ':' && c != '.') {
      return false;
    }
  }
  char buf[46];
  inner.copy(buf, inner.size());
  buf[inner.size()] = '\0';
  unsigned char addr[16];
  return inet_pton(AF_INET6, buf, addr) == 1;
}

bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 255) {
    return false;
  }
  for (char c : s) {
    if (!is_digit(c) && !is_alpha(c) && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

bool is_url_safe_b64_char(char c) { return is_digit(c) || is_alpha(c) || c == '-' || c == '_'; }

// Splits `<sigil>local:domain` at the first colon; the local part never contains one.
struct Split {
  std::string_view local;
  std::string_view domain;
};

std::optional<Split> split_sigil_id(std::string_view s, char sigil) {
  if (s.size() > max_identifier_bytes || s.size() < 2 || s[0] != sigil) {
    return std::nullopt;
  }
  const auto colon = s.find(':', 1);
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  Split parts{s.substr(1, colon - 1), s.substr(colon + 1)};
  if (!is_valid_server_name(parts.domain)) {
    return std::nullopt;
  }
  return parts;
}

// Opaque localparts (historical user IDs, room IDs, v1 event IDs): UTF-8 without NUL.
bool is_opaque_local(std::string_view s) {
  return s.find('\0') == std::string_view::npos && is_valid_utf8(s);
}

}  // namespace

std::optional<ServerName> parse_server_name(std::string_view s) {
  std::string_view host = s;
  std::optional<std::uint16_t> port;
  // The port separator is the last colon outside IPv6 brackets.
  const auto bracket = s.rfind(']');
  const auto colon = s.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const auto digits = s.substr(colon + 1);
    if (digits.empty() || digits.size() > 5) {
      return std::nullopt;
    }
    unsigned value = 0;
    for (char c : digits) {
      if (!is_digit(c)) {
        return std::nullopt;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) {
      return std::nullopt;
    }
    port = static_cast<std::uint16_t>(value);
    host = s.substr(0, colon);
  }
  if (host.empty()) {
    return std::nullopt;
  }
  if (host.front() == '[') {
    if (host.back() != ']' || !is_ipv6_literal(host.substr(1, host.size() - 2))) {
      return std::nullopt;
    }
  } else if (bool in_range = false; is_ipv4_shaped(host, in_range)) {
    // Dotted quads are IPv4 literals and must be in range (1.2.3.999 is invalid).
    if (!in_range) {
      return std::nullopt;
    }
  } else if (!is_dns_name(host)) {
    return std::nullopt;
  }
  return ServerName{std::string(host), port};
}

bool is_valid_server_name(std::string_view s) { return parse_server_name(s).has_value(); }

bool is_valid_user_localpart(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    const bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '_' || c == '=' ||
                    c == '-' || c == '/' || c == '+';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::optional<UserId> parse_user_id(std::string_view s, bool allow_historical) {
  const auto parts = split_sigil_id(s, '@');
  if (!parts) {
    return std::nullopt;
  }
  const bool local_ok =
      allow_historical ? is_opaque_local(parts->local) : is_valid_user_localpart(parts->local);
  if (!local_ok) {
    return std::nullopt;
  }
  return UserId{std::string(parts->local), std::string(parts->domain)};
}

bool is_valid_user_id(std::string_view s, bool allow_historical) {
  return parse_user_id(s, allow_historical).has_value();
}

std::optional<RoomId> parse_room_id(std::string_view s) {
  if (s.size() == 1 + hash_id_chars && s[0] == '!' && s.find(':') == std::string_view::npos) {
    for (char c : s.substr(1)) {
      if (!is_url_safe_b64_char(c)) {
        return std::nullopt;
      }
    }
    return RoomId{std::string(s.substr(1)), {}};
  }
  const auto parts = split_sigil_id(s, '!');
  if (!parts || !is_opaque_local(parts->local)) {
    return std::nullopt;
  }
  return RoomId{std::string(parts->local), std::string(parts->domain)};
}

bool is_valid_room_id(std::string_view s) { return parse_room_id(s).has_value(); }

bool is_valid_room_id_for(std::string_view s, const RoomVersion& version) {
  const auto id = parse_room_id(s);
  return id && id->server_name.empty() == version.room_id_is_create_hash;
}

std::optional<EventId> parse_event_id(std::string_view s) {
  if (s.size() == 1 + hash_id_chars && s[0] == '$' && s.find(':') == std::string_view::npos) {
    bool std_only = false;
    bool url_only = false;
    for (char c : s.substr(1)) {
      if (c == '+' || c == '/') {
        std_only = true;
      } else if (c == '-' || c == '_') {
        url_only = true;
      } else if (!is_digit(c) && !is_alpha(c)) {
        return std::nullopt;
      }
    }
    if (std_only && url_only) {
      return std::nullopt;
    }
    const auto form = std_only   ? EventIdForm::hash_standard
                      : url_only ? EventIdForm::hash_url_safe
                                 : EventIdForm::hash;
    return EventId{form, std::string(s.substr(1)), {}};
  }
  const auto parts = split_sigil_id(s, '$');
  if (!parts || !is_opaque_local(parts->local)) {
    return std::nullopt;
  }
  return EventId{EventIdForm::domain, std::string(parts->local), std::string(parts->domain)};
}

bool is_valid_event_id(std::string_view s) { return parse_event_id(s).has_value(); }

bool is_valid_event_id_for(std::string_view s, EventFormat format) {
  const auto id = parse_event_id(s);
  if (!id) {
    return false;
  }
  switch (format) {
    case EventFormat::v1:
      return id->form == EventIdForm::domain;
    case EventFormat::v3:
      return id->form == EventIdForm::hash || id->form == EventIdForm::hash_standard;
    case EventFormat::v4:
      return id->form == EventIdForm::hash || id->form == EventIdForm::hash_url_safe;
  }
  return false;
}

std::optional<RoomAlias> parse_room_alias(std::string_view s) {
  const auto parts = split_sigil_id(s, '#');
  if (!parts || !is_valid_utf8(parts->local)) {
    return std::nullopt;
  }
  return RoomAlias{std::string(parts->local), std::string(parts->domain)};
}

bool is_valid_room_alias(std::string_view s) { return parse_room_alias(s).has_value(); }

bool is_valid_device_id(std::string_view s) {
  return !s.empty() && s.size() <= max_identifier_bytes && is_valid_utf8(s);
}

std::string_view server_name_of(std::string_view id) {
  const auto colon = id.find(':');
  if (colon == std::string_view::npos) {
    return {};
  }
  return id.substr(colon + 1);
}

}  // namespace ranvier::core
