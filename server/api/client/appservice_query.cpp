#include "api/client/appservice_query.hpp"

#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "appservice/calls.hpp"
#include "appservice/queries.hpp"
#include "storage/database.hpp"

namespace ranvier::api {

std::optional<storage::RoomAlias> find_local_alias(RequestContext& ctx, const std::string& alias) {
  const auto read = [&] { return ctx.services.database.read([&](storage::ReadTx& tx) { return tx.rooms().alias(alias); }); };
  auto found = read();
  const auto& services = ctx.services;
  if (found || services.appservices == nullptr || services.appservice_client == nullptr ||
      alias.substr(alias.find(':') + 1) != services.identity.server_name) {
    return found;
  }
  if (appservice::query_alias(*services.appservices, appservice::http_caller(*services.appservice_client), alias)) {
    found = read();
  }
  return found;
}

bool ask_appservices_about_user(RequestContext& ctx, const std::string& user_id) {
  const auto& services = ctx.services;
  if (services.appservices == nullptr || services.appservice_client == nullptr ||
      user_id.substr(user_id.find(':') + 1) != services.identity.server_name) {
    return false;
  }
  return appservice::query_user(*services.appservices, appservice::http_caller(*services.appservice_client), user_id);
}

}  // namespace ranvier::api
