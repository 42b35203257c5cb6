#pragma once
// Local user accounts.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

/// Outcome of an insert that must not replace an existing row.
enum class CreateResult { created, exists };

/// One local account. `user_id` is the full Matrix user ID (`@alice:example.org`).
struct Account {
  std::string user_id;
  /// The stored password hash as given by the caller; nullopt when password login is
  /// impossible (guests, deactivated accounts).
  std::optional<std::string> password_hash{};
  bool is_admin = false;
  bool is_guest = false;
  /// Milliseconds since the Unix epoch.
  std::int64_t created_ts = 0;
  bool deactivated = false;
  /// Locked by a server admin: every authenticated request but logout is refused with
  /// M_USER_LOCKED until unlocked (spec: "Account locking").
  bool locked = false;
  /// Suspended by a server admin: the account reads but may not act on others (spec: "Account
  /// suspension").
  bool suspended = false;

  bool operator==(const Account&) const = default;
};

/// Account totals, e.g. for metrics and the admin API.
struct AccountCounts {
  std::int64_t total = 0;
  std::int64_t admins = 0;
  std::int64_t guests = 0;
  std::int64_t deactivated = 0;
};

/// Account queries available in any transaction.
class AccountReads {
 public:
  virtual ~AccountReads() = default;

  /// The account with this user ID, deactivated or not.
  virtual std::optional<Account> get(std::string_view user_id) = 0;

  /// Totals over all accounts.
  virtual AccountCounts counts() = 0;

  /// Up to `limit` accounts ordered by user ID, starting after `after_user_id` (empty: from the
  /// first), so an admin listing can page through any number of users.
  virtual std::vector<Account> list(std::string_view after_user_id, std::size_t limit) = 0;
};

/// Account changes, available in write transactions.
class AccountStore : public AccountReads {
 public:
  /// Holds the account's row locked until the transaction ends, so that read-modify-write
  /// updates of the user's data (profile, tags) cannot interleave on PostgreSQL (SQLite writes
  /// are serialized anyway). False if there is no such account.
  virtual bool lock(std::string_view user_id) = 0;
  /// Inserts `account`; `exists` (and no change) if the user ID is taken.
  virtual CreateResult create(const Account& account) = 0;

  /// Replaces the password hash (nullopt: disable password login); false if there is no such
  /// account.
  virtual bool set_password_hash(std::string_view user_id,
                                 const std::optional<std::string>& password_hash) = 0;

  /// Grants or revokes server admin; false if there is no such account.
  virtual bool set_admin(std::string_view user_id, bool is_admin) = 0;

  /// Marks the account deactivated and removes its password hash. Its access tokens stop
  /// resolving at once; the caller removes its devices in the same transaction if it wants the
  /// rows gone. False if there is no such account.
  virtual bool deactivate(std::string_view user_id) = 0;

  /// Sets or clears the admin lock; tokens and devices stay. False if there is no such account.
  virtual bool set_locked(std::string_view user_id, bool locked) = 0;

  /// Sets or clears the suspension; tokens and devices stay. False if there is no such account.
  virtual bool set_suspended(std::string_view user_id, bool suspended) = 0;
};

}  // namespace ranvier::storage
