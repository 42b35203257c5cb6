// GET /_synapse/admin/v1/server_version (Synapse's docs/admin_api/version_api.md): what
// admin tools check first. Admin only here, like the rest of the admin API.

#include "api/admin/admin_common.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/json_response.hpp"

#include <array>

namespace ranvier::api::admin {
namespace {

ApiResponse server_version(RequestContext& ctx) {
  require_admin(ctx);
  return json_response({{"server_version", "Ranvier " RANVIER_VERSION}});
}

constexpr std::array<Operation, 1> operations{{
    admin_operation("GET", "/_synapse/admin/v1/server_version", "synapse.admin.serverVersion", &server_version),
}};

}  // namespace

std::span<const Operation> server_version_operations() { return operations; }

}  // namespace ranvier::api::admin
