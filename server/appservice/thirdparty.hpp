#pragma once
// Third-party lookups (client-server API, "Third-party Networks"), answered by the application
// services that declare the protocol in their registration (`protocols`), through their
// `/_matrix/app/v1/thirdparty/*` endpoints (application service API, "Third-party networks").

#include "appservice/calls.hpp"
#include "appservice/registry.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ranvier::appservice {

/// The metadata of `protocol` from the services that declare it: the first object answered,
/// with the `instances` of every answer merged; nullopt when none answered.
std::optional<nlohmann::json> protocol_metadata(const Registry& registry, const Caller& caller,
                                                std::string_view protocol);

/// Every protocol some service declares, with its metadata (protocols nobody answered for are
/// left out).
nlohmann::json all_protocols(const Registry& registry, const Caller& caller);

/// `kind` is "location" or "user". With `protocol`: the services declaring it are asked with
/// `fields`; without: every service with protocols is asked with `fields` (alias= / userid=).
/// The arrays they answer are concatenated.
nlohmann::json lookup(const Registry& registry, const Caller& caller, std::string_view kind,
                      std::optional<std::string_view> protocol,
                      const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace ranvier::appservice
