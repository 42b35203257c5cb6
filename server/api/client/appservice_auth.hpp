#pragma once
// Requests made with an application service's as_token (application service API, "Identity
// assertion"): they act as the service's sender, or as the user named by `?user_id=` when that
// user is in the service's user namespace.

#include "api/context.hpp"

#include <optional>
#include <string_view>

namespace ranvier::appservice {
struct Registration;
}

namespace ranvier::api {

/// The device an application service's requests use when they name none (`?device_id=`):
/// created on first use for each user the service acts as, so per-device rows (transaction
/// IDs) have a device.
inline constexpr std::string_view appservice_device_id = "APPSERVICE";

/// The service whose as_token `token` is, if any.
const appservice::Registration* appservice_of_token(const Services& services, std::string_view token);

/// The principal of a request authenticated by `service`'s token. Throws M_FORBIDDEN for a
/// `user_id` outside its namespace or not registered here.
Principal appservice_principal(const RequestContext& ctx, const appservice::Registration& service,
                               std::string_view token);

/// True for requests of an application service registered with `rate_limited: false`, also
/// on endpoints that do not authenticate (POST /register).
bool exempt_from_rate_limits(const RequestContext& ctx);

/// The service whose as_token the request carries, for endpoints that authenticate it
/// themselves (register, login): M_MISSING_TOKEN without a token, M_UNKNOWN_TOKEN for any other.
const appservice::Registration& appservice_of_request(const RequestContext& ctx);

/// Throws M_EXCLUSIVE when `alias` is in an exclusive alias namespace of a service other than
/// the caller (application service API, "Server admin style permissions").
void check_alias_not_reserved(const RequestContext& ctx, std::string_view alias);

/// The service behind the request's access token; M_FORBIDDEN when it is not an as_token.
const appservice::Registration& require_appservice(const RequestContext& ctx);

}  // namespace ranvier::api
