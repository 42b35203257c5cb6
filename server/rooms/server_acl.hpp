#pragma once
// Server access control lists (m.room.server_acl; server-server API, "Server Access Control
// Lists"): which servers may take part in a room over federation.

#include <nlohmann/json.hpp>

#include <string_view>

namespace ranvier::rooms {

/// True if `server` (a server name, possibly with a port, which does not count) may take part
/// in a room whose m.room.server_acl has `content`: IP literals only with `allow_ip_literals`
/// (default true), then `deny` globs refuse, then `allow` globs admit, and nothing else is
/// admitted. Globs match case-insensitively. A non-object content admits everyone.
bool server_acl_allows(const nlohmann::json& content, std::string_view server);

}  // namespace ranvier::rooms
