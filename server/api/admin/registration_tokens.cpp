// Synapse's registration token admin API (docs/admin_api/registration_tokens.md in
// element-hq/synapse) over the tokens `ranvier registration-token` also manages. Admin only.
// Ranvier counts a use when registration completes, so `pending` is always 0.

#include "api/admin/admin_common.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/admin/registration_token_rules.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "storage/database.hpp"

#include <array>

namespace ranvier::api::admin {
namespace {

nlohmann::json token_json(const storage::RegistrationToken& token) {
  return {{"token", token.token},
          {"uses_allowed", token.uses_allowed ? nlohmann::json(*token.uses_allowed) : nlohmann::json(nullptr)},
          {"pending", 0},
          {"completed", token.completed},
          {"expiry_time", token.expiry_time ? nlohmann::json(*token.expiry_time) : nlohmann::json(nullptr)}};
}

const std::string& token_param(const RequestContext& ctx) {
  const std::string& token = ctx.path_params.at(0);
  if (!is_valid_registration_token(token)) {
    throw MatrixError(ErrCode::not_found, "No such registration token: " + token);
  }
  return token;
}

/// `body[key]` as Synapse accepts it: absent (nullopt), null (a value of nullopt: no limit),
/// or a non-negative integer.
std::optional<std::optional<std::int64_t>> optional_limit(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end()) {
    return std::nullopt;
  }
  if (it->is_null()) {
    return std::optional<std::int64_t>{};
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
    throw MatrixError(ErrCode::invalid_param, std::string(key) + " must be a non-negative integer or null");
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

void check_expiry(const std::optional<std::optional<std::int64_t>>& expiry) {
  if (expiry && *expiry && **expiry < now_ms()) {
    throw MatrixError(ErrCode::invalid_param, "expiry_time must not be in the past");
  }
}

ApiResponse list_tokens(RequestContext& ctx) {
  require_admin(ctx);
  const auto valid = query_value(ctx, "valid");
  if (valid && *valid != "true" && *valid != "false") {
    throw MatrixError(ErrCode::invalid_param, "valid must be true or false");
  }
  const auto now = now_ms();
  nlohmann::json tokens = nlohmann::json::array();
  for (const auto& token : ctx.services.database.read([](storage::ReadTx& tx) { return tx.registration_tokens().list(); })) {
    if (!valid || token.usable(now) == (*valid == "true")) {
      tokens.push_back(token_json(token));
    }
  }
  return json_response({{"registration_tokens", std::move(tokens)}});
}

ApiResponse get_token(RequestContext& ctx) {
  require_admin(ctx);
  const auto& name = token_param(ctx);
  auto token = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.registration_tokens().get(name); });
  if (!token) {
    throw MatrixError(ErrCode::not_found, "No such registration token: " + name);
  }
  return json_response(token_json(*token));
}

ApiResponse new_token(RequestContext& ctx) {
  require_admin(ctx);
  const auto body = object_body(ctx);
  const auto uses = optional_limit(body, "uses_allowed");
  const auto expiry = optional_limit(body, "expiry_time");
  const auto length = optional_limit(body, "length");
  check_expiry(expiry);
  storage::RegistrationToken token;
  token.created_ts = now_ms();
  if (auto given = optional_string(body, "token")) {
    if (length) {
      throw MatrixError(ErrCode::invalid_param, "token and length are mutually exclusive");
    }
    if (!is_valid_registration_token(*given)) {
      throw MatrixError(ErrCode::invalid_param, "token must be 1 to 64 characters of A-Z a-z 0-9 . _ ~ -");
    }
    token.token = *given;
  } else {
    const auto wanted = length && *length ? **length : 16;
    if (wanted < 1 || wanted > 64) {
      throw MatrixError(ErrCode::invalid_param, "length must be between 1 and 64");
    }
    token.token = random_registration_token(static_cast<std::size_t>(wanted));
  }
  token.uses_allowed = uses.value_or(std::nullopt);
  token.expiry_time = expiry.value_or(std::nullopt);
  if (ctx.services.database.write([&](storage::WriteTx& tx) { return tx.registration_tokens().create(token); }) ==
      storage::CreateResult::exists) {
    throw MatrixError(ErrCode::invalid_param, "Token already in use");
  }
  return json_response(token_json(token));
}

ApiResponse update_token(RequestContext& ctx) {
  require_admin(ctx);
  const auto& name = token_param(ctx);
  const auto body = object_body(ctx);
  const auto uses = optional_limit(body, "uses_allowed");
  const auto expiry = optional_limit(body, "expiry_time");
  check_expiry(expiry);
  return json_response(ctx.services.database.write([&](storage::WriteTx& tx) {
    auto token = tx.registration_tokens().get(name);
    if (!token) {
      throw MatrixError(ErrCode::not_found, "No such registration token: " + name);
    }
    if (uses) {
      token->uses_allowed = *uses;
    }
    if (expiry) {
      token->expiry_time = *expiry;
    }
    tx.admin().update_registration_token(name, token->uses_allowed, token->expiry_time);
    return token_json(*token);
  }));
}

ApiResponse delete_token(RequestContext& ctx) {
  require_admin(ctx);
  const auto& name = token_param(ctx);
  if (!ctx.services.database.write([&](storage::WriteTx& tx) { return tx.registration_tokens().remove(name); })) {
    throw MatrixError(ErrCode::not_found, "No such registration token: " + name);
  }
  return json_response(nlohmann::json::object());
}

constexpr std::array<Operation, 5> operations{{
    admin_operation("GET", "/_synapse/admin/v1/registration_tokens", "synapse.admin.listRegistrationTokens",
                    &list_tokens),
    admin_operation("POST", "/_synapse/admin/v1/registration_tokens/new", "synapse.admin.newRegistrationToken",
                    &new_token),
    admin_operation("GET", "/_synapse/admin/v1/registration_tokens/{token}", "synapse.admin.getRegistrationToken",
                    &get_token),
    admin_operation("PUT", "/_synapse/admin/v1/registration_tokens/{token}", "synapse.admin.updateRegistrationToken",
                    &update_token),
    admin_operation("DELETE", "/_synapse/admin/v1/registration_tokens/{token}",
                    "synapse.admin.deleteRegistrationToken", &delete_token),
}};

}  // namespace

std::span<const Operation> registration_token_operations() { return operations; }

}  // namespace ranvier::api::admin
