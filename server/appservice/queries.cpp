#include "appservice/queries.hpp"

#include "core/percent_encoding.hpp"

#include <cstdio>

namespace ranvier::appservice {
namespace {

bool ask(const std::vector<const Registration*>& services, const Caller& caller, const std::string& path) {
  for (const auto* service : services) {
    const auto outcome = caller(*service, "GET", path, "");
    if (outcome.ok()) {
      return true;
    }
    if (outcome.failure != CallFailure::none) {
      std::fprintf(stderr, "ranvier: appservice %s: %s: %s\n", service->id.c_str(), path.c_str(),
                   outcome.message.c_str());
    }
  }
  return false;
}

}  // namespace

bool query_user(const Registry& registry, const Caller& caller, std::string_view user_id) {
  return ask(registry.user_query_targets(user_id), caller, "/_matrix/app/v1/users/" + core::percent_encode(user_id));
}

bool query_alias(const Registry& registry, const Caller& caller, std::string_view alias) {
  return ask(registry.alias_query_targets(alias), caller, "/_matrix/app/v1/rooms/" + core::percent_encode(alias));
}

}  // namespace ranvier::appservice
