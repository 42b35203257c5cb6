// The non-spec operations Ranvier serves: Synapse's shared-secret registration and its admin
// API, each group from its own file.

#include "api/extensions.hpp"

#include "api/admin/admin_operations.hpp"

#include <vector>

namespace ranvier::api {

std::span<const Operation> extension_operations() {
  static const std::vector<Operation> all = [] {
    std::vector<Operation> ops;
    for (auto group : {admin::shared_secret_operations(), admin::user_operations(),
                       admin::registration_token_operations(), admin::room_operations(), admin::purge_operations(),
                       admin::room_delete_operations(), admin::server_version_operations(),
                       admin::moderation_operations()}) {
      ops.insert(ops.end(), group.begin(), group.end());
    }
    return ops;
  }();
  return all;
}

}  // namespace ranvier::api
