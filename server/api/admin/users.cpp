// Synapse's user admin API (docs/admin_api/user_admin_api.md in element-hq/synapse): list,
// query, create or modify, reset password, deactivate (with erasure), server admin flag.
// Admin only; not part of the Matrix spec.

#include "api/admin/admin_actions.hpp"
#include "api/admin/admin_common.hpp"
#include "api/admin/admin_operations.hpp"
#include "api/client/device_lists.hpp"
#include "api/client/sessions.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/json_response.hpp"
#include "api/password_hash.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "rooms/event_pipeline.hpp"
#include "storage/database.hpp"

#include <array>

namespace ranvier::api::admin {
namespace {

nlohmann::json profile_of(storage::ReadTx& tx, const std::string& user_id) {
  const auto text = tx.profiles().get(user_id);
  auto profile = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json::object();
  return profile.is_object() ? profile : nlohmann::json::object();
}

nlohmann::json profile_field(const nlohmann::json& profile, const char* key) {
  const auto it = profile.find(key);
  return it != profile.end() && it->is_string() ? *it : nlohmann::json(nullptr);
}

/// The fields Synapse lists for a user; `creation_ts` in milliseconds (the list) or seconds
/// (the single-user query), as Synapse does.
nlohmann::json user_json(storage::ReadTx& tx, const storage::Account& account, bool seconds) {
  const auto profile = profile_of(tx, account.user_id);
  return {{"name", account.user_id},
          {"displayname", profile_field(profile, "displayname")},
          {"avatar_url", profile_field(profile, "avatar_url")},
          {"is_guest", account.is_guest},
          {"admin", account.is_admin},
          {"deactivated", account.deactivated},
          {"erased", tx.admin().is_erased(account.user_id)},
          {"shadow_banned", false},
          {"locked", account.locked},
          {"suspended", account.suspended},
          {"approved", true},
          {"user_type", nullptr},
          {"creation_ts", seconds ? account.created_ts / 1000 : account.created_ts}};
}

storage::Account existing_account(storage::ReadTx& tx, const std::string& user_id) {
  auto account = tx.accounts().get(user_id);
  if (!account) {
    throw MatrixError(ErrCode::not_found, "User not found");
  }
  return *account;
}

ApiResponse list_users(RequestContext& ctx) {
  require_admin(ctx);
  storage::UserQuery query;
  query.offset = query_count(ctx, "from", 0);
  query.limit = static_cast<std::size_t>(std::min<std::int64_t>(query_count(ctx, "limit", 100), 1000));
  query.include_guests = query_bool(ctx, "guests", true);
  query.include_deactivated = query_bool(ctx, "deactivated", false);
  query.name = query_value(ctx, "name");
  if (!query.name) {
    query.name = query_value(ctx, "user_id");
  }
  return json_response(ctx.services.database.read([&](storage::ReadTx& tx) {
    const auto page = tx.admin().users(query);
    nlohmann::json users = nlohmann::json::array();
    for (const auto& user_id : page.user_ids) {
      if (auto account = tx.accounts().get(user_id)) {
        users.push_back(user_json(tx, *account, false));
      }
    }
    nlohmann::json body{{"users", std::move(users)}, {"total", page.total}};
    const auto next = query.offset + static_cast<std::int64_t>(page.user_ids.size());
    if (next < page.total && !page.user_ids.empty()) {
      body["next_token"] = std::to_string(next);
    }
    return body;
  }));
}

ApiResponse get_user(RequestContext& ctx) {
  require_admin(ctx);
  const auto user_id = local_user_param(ctx, 0);
  return json_response(ctx.services.database.read(
      [&](storage::ReadTx& tx) { return user_json(tx, existing_account(tx, user_id), true); }));
}

/// Logs the user out everywhere: each device goes the way a client's logout takes it (keys,
/// pushers and to-device messages with it, the deletion announced to other servers).
void logout_devices(RequestContext& ctx, storage::WriteTx& tx, const std::string& user_id) {
  client_server::remove_all_devices(tx, ctx.services.pipeline.server_name(), user_id);
  tx.tokens().remove_for_user(user_id);
}

/// PUT /_synapse/admin/v2/users/{userId}: creates the account (201) or changes the fields
/// given (200). Everything but deactivation happens in one transaction.
ApiResponse put_user(RequestContext& ctx) {
  require_admin(ctx);
  const auto user_id = local_user_param(ctx, 0);
  const auto body = object_body(ctx);
  const auto password = optional_string(body, "password");
  const auto logout = optional_bool(body, "logout_devices").value_or(true);
  const auto displayname = optional_string(body, "displayname");
  const auto avatar_url = optional_string(body, "avatar_url");
  const auto admin = optional_bool(body, "admin");
  const auto deactivated = optional_bool(body, "deactivated");
  const auto locked = optional_bool(body, "locked");
  if (password && (password->empty() || password->size() > 512)) {
    throw MatrixError(ErrCode::invalid_param, "Invalid password");
  }
  if (admin && !*admin && user_id == ctx.principal->user_id) {
    throw MatrixError(ErrCode::invalid_param, "You may not demote yourself.");
  }
  const std::string localpart(core::parse_user_id(user_id)->localpart);
  const std::optional<std::string> hash =
      password ? std::optional(hash_password(*password, password_cost(ctx.services))) : std::nullopt;
  const auto existed = ctx.services.database.read([&](storage::ReadTx& tx) { return tx.accounts().get(user_id); });
  if (existed && existed->deactivated && deactivated == false) {
    throw MatrixError(ErrCode::invalid_param, "Reactivating a deactivated account is not supported");
  }
  if (!existed) {
    check_new_localpart(ctx.services, localpart);
  }
  ctx.services.database.write([&](storage::WriteTx& tx) {
    if (!existed) {
      storage::Account account{.user_id = user_id, .password_hash = hash, .is_admin = admin.value_or(false),
                               .created_ts = now_ms()};
      if (tx.accounts().create(account) == storage::CreateResult::exists) {
        throw MatrixError(ErrCode::user_in_use, "User ID already taken");
      }
      create_initial_profile(tx, user_id, displayname.value_or(localpart));
    } else {
      tx.accounts().lock(user_id);
      if (hash) {
        tx.accounts().set_password_hash(user_id, hash);
        if (logout) {
          logout_devices(ctx, tx, user_id);
        }
      }
      if (admin) {
        tx.accounts().set_admin(user_id, *admin);
      }
    }
    if (locked) {
      tx.accounts().set_locked(user_id, *locked);
    }
    if (displayname || avatar_url) {
      auto profile = profile_of(tx, user_id);
      if (displayname) {
        profile["displayname"] = *displayname;
      }
      if (avatar_url) {
        profile["avatar_url"] = *avatar_url;
      }
      tx.profiles().put(user_id, profile.dump());
    }
  });
  if (existed && (displayname || avatar_url)) {
    refresh_member_events(ctx.services, user_id);
  }
  if (deactivated == true && !(existed && existed->deactivated)) {
    deactivate_user(ctx.services, user_id, false);
  }
  return json_response(ctx.services.database.read([&](storage::ReadTx& tx) {
                         return user_json(tx, existing_account(tx, user_id), true);
                       }),
                       existed ? 200 : 201);
}

ApiResponse reset_password(RequestContext& ctx) {
  require_admin(ctx);
  const auto user_id = local_user_param(ctx, 0);
  const auto body = object_body(ctx);
  const auto password = optional_string(body, "new_password");
  if (!password) {
    throw MatrixError(ErrCode::missing_param, "new_password is required");
  }
  if (password->empty() || password->size() > 512) {
    throw MatrixError(ErrCode::invalid_param, "Invalid new_password");
  }
  const bool logout = optional_bool(body, "logout_devices").value_or(true);
  ctx.services.database.read([&](storage::ReadTx& tx) { return existing_account(tx, user_id); });
  const std::string hash = hash_password(*password, password_cost(ctx.services));
  ctx.services.database.write([&](storage::WriteTx& tx) {
    if (!tx.accounts().set_password_hash(user_id, hash)) {
      throw MatrixError(ErrCode::not_found, "User not found");
    }
    if (logout) {
      logout_devices(ctx, tx, user_id);
    }
  });
  return json_response(nlohmann::json::object());
}

ApiResponse deactivate(RequestContext& ctx) {
  require_admin(ctx);
  const auto user_id = local_user_param(ctx, 0);
  const auto body = object_body(ctx);
  const bool erase = optional_bool(body, "erase").value_or(false);
  ctx.services.database.read([&](storage::ReadTx& tx) { return existing_account(tx, user_id); });
  deactivate_user(ctx.services, user_id, erase);
  return json_response({{"id_server_unbind_result", "success"}});
}

ApiResponse get_admin(RequestContext& ctx) {
  require_admin(ctx);
  const auto user_id = local_user_param(ctx, 0);
  return json_response(ctx.services.database.read(
      [&](storage::ReadTx& tx) { return nlohmann::json{{"admin", existing_account(tx, user_id).is_admin}}; }));
}

ApiResponse put_admin(RequestContext& ctx) {
  require_admin(ctx);
  const auto user_id = local_user_param(ctx, 0);
  const auto body = object_body(ctx);
  const auto admin = optional_bool(body, "admin");
  if (!admin) {
    throw MatrixError(ErrCode::missing_param, "admin is required");
  }
  if (!*admin && user_id == ctx.principal->user_id) {
    throw MatrixError(ErrCode::invalid_param, "You may not demote yourself.");
  }
  ctx.services.database.write([&](storage::WriteTx& tx) {
    if (!tx.accounts().set_admin(user_id, *admin)) {
      throw MatrixError(ErrCode::not_found, "User not found");
    }
  });
  return json_response(nlohmann::json::object());
}

constexpr std::array<Operation, 7> operations{{
    admin_operation("GET", "/_synapse/admin/v2/users", "synapse.admin.listUsers", &list_users),
    admin_operation("GET", "/_synapse/admin/v2/users/{userId}", "synapse.admin.getUser", &get_user),
    admin_operation("PUT", "/_synapse/admin/v2/users/{userId}", "synapse.admin.putUser", &put_user),
    admin_operation("POST", "/_synapse/admin/v1/reset_password/{userId}", "synapse.admin.resetPassword",
                    &reset_password),
    admin_operation("POST", "/_synapse/admin/v1/deactivate/{userId}", "synapse.admin.deactivateUser", &deactivate),
    admin_operation("GET", "/_synapse/admin/v1/users/{userId}/admin", "synapse.admin.getUserAdmin", &get_admin),
    admin_operation("PUT", "/_synapse/admin/v1/users/{userId}/admin", "synapse.admin.setUserAdmin", &put_admin),
}};

}  // namespace

std::span<const Operation> user_operations() { return operations; }

}  // namespace ranvier::api::admin
