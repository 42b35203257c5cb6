#include "storage/sql/stores.hpp"

namespace ranvier::storage::sql {
namespace {

Account account_from(const Row& row) {
  return Account{
      .user_id = row.at(0).as_text(),
      .password_hash = row.at(1).as_optional_text(),
      .is_admin = row.at(2).as_bool(),
      .is_guest = row.at(3).as_bool(),
      .created_ts = row.at(4).as_int(),
      .deactivated = row.at(5).as_bool(),
      .locked = row.at(6).as_bool(),
      .suspended = row.at(7).as_bool(),
  };
}

}  // namespace

std::optional<Account> SqlAccountStore::get(std::string_view user_id) {
  auto rows = session_.query(sql_.select_one, {user_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return account_from(rows.front());
}

AccountCounts SqlAccountStore::counts() {
  auto rows = session_.query(sql_.counts, {});
  const Row& row = rows.at(0);
  return AccountCounts{
      .total = row.at(0).as_int(),
      .admins = row.at(1).as_int(),
      .guests = row.at(2).as_int(),
      .deactivated = row.at(3).as_int(),
  };
}

std::vector<Account> SqlAccountStore::list(std::string_view after_user_id, std::size_t limit) {
  auto rows = session_.query(sql_.list_after, {after_user_id, limit_param(limit)});
  std::vector<Account> accounts;
  accounts.reserve(rows.size());
  for (const Row& row : rows) {
    accounts.push_back(account_from(row));
  }
  return accounts;
}

CreateResult SqlAccountStore::create(const Account& account) {
  std::int64_t inserted = session_.execute(
      sql_.insert, {std::string_view(account.user_id), nullable(account.password_hash),
                    account.is_admin, account.is_guest, account.created_ts, account.deactivated});
  return inserted == 0 ? CreateResult::exists : CreateResult::created;
}

bool SqlAccountStore::set_password_hash(std::string_view user_id,
                                        const std::optional<std::string>& password_hash) {
  return session_.execute(sql_.set_password, {user_id, nullable(password_hash)}) > 0;
}

bool SqlAccountStore::set_admin(std::string_view user_id, bool is_admin) {
  return session_.execute(sql_.set_admin, {user_id, is_admin}) > 0;
}

bool SqlAccountStore::deactivate(std::string_view user_id) {
  return session_.execute(sql_.deactivate, {user_id}) > 0;
}

bool SqlAccountStore::set_locked(std::string_view user_id, bool locked) {
  return session_.execute(sql_.set_locked, {user_id, locked}) > 0;
}

bool SqlAccountStore::set_suspended(std::string_view user_id, bool suspended) {
  return session_.execute(sql_.set_suspended, {user_id, suspended}) > 0;
}

bool SqlAccountStore::lock(std::string_view user_id) {
  return !session_.query(sql_.lock, {user_id}).empty();
}

}  // namespace ranvier::storage::sql
