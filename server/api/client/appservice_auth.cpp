#include "api/client/appservice_auth.hpp"

#include "api/account_moderation.hpp"
#include "api/authentication.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/services.hpp"
#include "appservice/registry.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

namespace ranvier::api {
namespace {

std::optional<std::string_view> query_value(const RequestContext& ctx, std::string_view key) {
  for (const auto& [k, v] : ctx.query) {
    if (k == key) {
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace

const appservice::Registration* appservice_of_token(const Services& services, std::string_view token) {
  return services.appservices == nullptr || token.empty() ? nullptr : services.appservices->by_as_token(token);
}

Principal appservice_principal(const RequestContext& ctx, const appservice::Registration& service,
                               std::string_view token) {
  const auto& registry = *ctx.services.appservices;
  std::string user_id = registry.sender_of(service);
  if (auto asserted = query_value(ctx, "user_id")) {
    if (!registry.may_act_as(service, *asserted)) {
      throw MatrixError(ErrCode::forbidden, "Application service cannot masquerade as this user");
    }
    user_id = std::string(*asserted);
  }
  // Device masquerading (MSC3202): `device_id` names the user's device to act as, created
  // when new; without it the service's own device of the user.
  const std::string device_id(query_value(ctx, "device_id").value_or(appservice_device_id));
  if (device_id.empty()) {
    throw MatrixError(ErrCode::invalid_param, "device_id must not be empty");
  }
  const auto [account, has_device] = ctx.services.database.read([&](storage::ReadTx& tx) {
    return std::pair{tx.accounts().get(user_id), tx.devices().get(user_id, device_id).has_value()};
  });
  if (!account || account->deactivated) {
    throw MatrixError(ErrCode::forbidden, "Application service has not registered this user");
  }
  // A service acting as a locked or suspended user is held to what that user may do.
  enforce_account_moderation(ctx, user_id, account->locked, account->suspended);
  if (!has_device) {
    ctx.services.database.write([&](storage::WriteTx& tx) {
      if (!tx.devices().get(user_id, device_id)) {
        tx.devices().create(storage::Device{user_id, device_id, std::nullopt, now_ms()});
      }
    });
  }
  Principal principal{user_id, device_id, std::string(token), false, account->is_admin};
  principal.appservice_id = service.id;
  principal.rate_limited = service.rate_limited;
  return principal;
}

const appservice::Registration& appservice_of_request(const RequestContext& ctx) {
  const auto token = access_token_of(ctx);
  if (token.empty()) {
    throw MatrixError(ErrCode::missing_token, "Missing application service token");
  }
  const auto* service = appservice_of_token(ctx.services, token);
  if (service == nullptr) {
    throw MatrixError(ErrCode::unknown_token, "Unrecognised application service token",
                      nlohmann::json{{"soft_logout", false}});
  }
  return *service;
}

void check_alias_not_reserved(const RequestContext& ctx, std::string_view alias) {
  const auto* owner =
      ctx.services.appservices != nullptr ? ctx.services.appservices->exclusive_alias_owner(alias) : nullptr;
  if (owner != nullptr && (!ctx.principal || owner->id != ctx.principal->appservice_id)) {
    throw MatrixError(ErrCode::exclusive, "This alias is reserved by an application service");
  }
}

bool exempt_from_rate_limits(const RequestContext& ctx) {
  if (ctx.principal) {
    return !ctx.principal->rate_limited;
  }
  const auto* service = appservice_of_token(ctx.services, access_token_of(ctx));
  return service != nullptr && !service->rate_limited;
}

const appservice::Registration& require_appservice(const RequestContext& ctx) {
  const auto* service = appservice_of_token(ctx.services, access_token_of(ctx));
  if (service == nullptr) {
    throw MatrixError(ErrCode::forbidden, "Only an application service may do this");
  }
  return *service;
}

}  // namespace ranvier::api
