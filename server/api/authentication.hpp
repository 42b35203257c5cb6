#pragma once
// Who is calling: access tokens for the client API (spec: client-server API,
// "Using access tokens"), X-Matrix signatures for federation (with the federation work).

#include "api/context.hpp"

namespace ranvier::api {

/// Fills ctx.principal / ctx.origin as the operation's security scheme demands.
/// Throws MatrixError: M_MISSING_TOKEN, M_UNKNOWN_TOKEN (with soft_logout), M_UNAUTHORIZED.
void authenticate(RequestContext& ctx);

/// The access token of a request: `Authorization: Bearer …`, else the deprecated
/// `access_token` query parameter; empty when neither is present.
std::string_view access_token_of(const RequestContext& ctx);

}  // namespace ranvier::api
