#pragma once
// The store interfaces implemented once over Session + the backend's SQL text.

#include "storage/accounts.hpp"
#include "storage/devices.hpp"
#include "storage/sql/queries.hpp"
#include "storage/sql/session.hpp"
#include "storage/tokens.hpp"

namespace ranvier::storage::sql {

class SqlAccountStore final : public AccountStore {
 public:
  SqlAccountStore(Session& session, const AccountSql& sql) : session_(session), sql_(sql) {}

  std::optional<Account> get(std::string_view user_id) override;
  AccountCounts counts() override;
  std::vector<Account> list(std::string_view after_user_id, std::size_t limit) override;
  CreateResult create(const Account& account) override;
  bool set_password_hash(std::string_view user_id,
                         const std::optional<std::string>& password_hash) override;
  bool set_admin(std::string_view user_id, bool is_admin) override;
  bool deactivate(std::string_view user_id) override;

 private:
  Session& session_;
  const AccountSql& sql_;
};

class SqlDeviceStore final : public DeviceStore {
 public:
  SqlDeviceStore(Session& session, const DeviceSql& sql) : session_(session), sql_(sql) {}

  std::optional<Device> get(std::string_view user_id, std::string_view device_id) override;
  std::vector<Device> list(std::string_view user_id) override;
  CreateResult create(const Device& device) override;
  bool set_display_name(std::string_view user_id, std::string_view device_id,
                        const std::optional<std::string>& display_name) override;
  bool touch(std::string_view user_id, std::string_view device_id, std::int64_t seen_ts,
             const std::optional<std::string>& ip) override;
  bool remove(std::string_view user_id, std::string_view device_id) override;
  std::int64_t remove_all(std::string_view user_id) override;

 private:
  Session& session_;
  const DeviceSql& sql_;
};

class SqlTokenStore final : public TokenStore {
 public:
  SqlTokenStore(Session& session, const TokenSql& sql) : session_(session), sql_(sql) {}

  std::optional<TokenOwner> lookup(std::string_view token) override;
  CreateResult create(const NewAccessToken& token) override;
  bool remove(std::string_view token) override;
  std::int64_t remove_for_device(std::string_view user_id, std::string_view device_id) override;
  std::int64_t remove_for_user(std::string_view user_id) override;

 private:
  Session& session_;
  const TokenSql& sql_;
};

/// Hex SHA-256 of an access token: the key under which it is stored.
std::string token_digest(std::string_view token);

}  // namespace ranvier::storage::sql
