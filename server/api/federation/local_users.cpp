#include "api/federation/local_users.hpp"

#include "api/errors.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"

namespace ranvier::api::server_server {

void check_local_user(const RequestContext& ctx, const std::string& user_id) {
  const auto parsed = core::parse_user_id(user_id);
  if (!parsed) {
    throw MatrixError(ErrCode::invalid_param, "Not a valid user ID: " + user_id);
  }
  if (parsed->server_name != ctx.services.identity.server_name) {
    throw MatrixError(ErrCode::invalid_param, "The user " + user_id + " is not of this server");
  }
}

}  // namespace ranvier::api::server_server
