#include "storage/sql/sql_database.hpp"

#include "storage/errors.hpp"
#include "storage/sql/admin_store.hpp"
#include "storage/sql/appservice_store.hpp"
#include "storage/sql/federation_inbox_store.hpp"
#include "storage/sql/media_store.hpp"
#include "storage/sql/notification_stores.hpp"
#include "storage/sql/server_key_store.hpp"
#include "storage/sql/stores.hpp"

#include <chrono>
#include <cstdio>

namespace ranvier::storage::sql {
namespace {

// The stores of one transaction, all bound to its session. Read transactions see it through
// the ReadTx interface only.
class SqlTx final : public WriteTx {
 public:
  SqlTx(Session& session, const Dialect& dialect)
      : accounts_(session, dialect.accounts),
        account_data_(session, dialect.account_data),
        devices_(session, dialect.devices, dialect.e2e_keys),
        profiles_(session, dialect.profiles),
        tokens_(session, dialect.tokens),
        events_(session, dialect.events),
        state_(session, dialect.state),
        rooms_(session, dialect.rooms),
        registration_tokens_(session, dialect.registration_tokens),
        receipts_(session, dialect.receipts),
        to_device_(session, dialect.to_device),
        e2e_keys_(session, dialect.e2e_keys),
        key_backup_(session, dialect.key_backup),
        federation_inbox_(session, dialect.federation_inbox),
        federation_outbox_(session, dialect.federation_outbox),
        notifications_(session, dialect.notifications),
        pushers_(session, dialect.pushers),
        search_(session, dialect.search),
        reports_(session, dialect.reports),
        server_keys_(session, dialect.server_keys),
        media_(session, dialect.media),
        admin_(session, dialect.admin),
        appservices_(session, dialect.appservices) {}

  AccountStore& accounts() override { return accounts_; }
  AccountDataStore& account_data() override { return account_data_; }
  DeviceStore& devices() override { return devices_; }
  ProfileStore& profiles() override { return profiles_; }
  TokenStore& tokens() override { return tokens_; }
  EventStore& events() override { return events_; }
  StateStore& state() override { return state_; }
  RoomStore& rooms() override { return rooms_; }
  RegistrationTokenStore& registration_tokens() override { return registration_tokens_; }
  ReceiptStore& receipts() override { return receipts_; }
  ToDeviceStore& to_device() override { return to_device_; }
  E2eKeyStore& e2e_keys() override { return e2e_keys_; }
  KeyBackupStore& key_backup() override { return key_backup_; }
  FederationInboxStore& federation_inbox() override { return federation_inbox_; }
  FederationOutboxStore& federation_outbox() override { return federation_outbox_; }
  NotificationStore& notifications() override { return notifications_; }
  PusherStore& pushers() override { return pushers_; }
  SearchStore& search() override { return search_; }
  ReportStore& reports() override { return reports_; }
  ServerKeyStore& server_keys() override { return server_keys_; }
  MediaStore& media() override { return media_; }
  AdminStore& admin() override { return admin_; }
  AppserviceStore& appservices() override { return appservices_; }

 private:
  SqlAccountStore accounts_;
  SqlAccountDataStore account_data_;
  SqlDeviceStore devices_;
  SqlProfileStore profiles_;
  SqlTokenStore tokens_;
  SqlEventStore events_;
  SqlStateStore state_;
  SqlRoomStore rooms_;
  SqlRegistrationTokenStore registration_tokens_;
  SqlReceiptStore receipts_;
  SqlToDeviceStore to_device_;
  SqlE2eKeyStore e2e_keys_;
  SqlKeyBackupStore key_backup_;
  SqlFederationInboxStore federation_inbox_;
  SqlFederationOutboxStore federation_outbox_;
  SqlNotificationStore notifications_;
  SqlPusherStore pushers_;
  SqlSearchStore search_;
  SqlReportStore reports_;
  SqlServerKeyStore server_keys_;
  SqlMediaStore media_;
  SqlAdminStore admin_;
  SqlAppserviceStore appservices_;
};

// The database a thread is writing to, to turn a nested write (which would wait forever for
// the single SQLite writer it already holds) into an error.
thread_local const void* writing_to = nullptr;

// A stale pooled connection (e.g. after a PostgreSQL restart) is only noticed when used;
// starting the transaction again on a fresh one is safe because nothing ran yet.
constexpr int begin_attempts = 3;

std::string migration_label(const Migration& migration) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", migration.version);
  return std::string(number) + "_" + std::string(migration.name);
}

}  // namespace

SqlDatabase::SqlDatabase(Backend backend, const Dialect& dialect,
                         std::unique_ptr<ConnectionPool> readers,
                         std::unique_ptr<ConnectionPool> writers)
    : backend_(backend),
      dialect_(dialect),
      writers_(std::move(writers)),
      readers_(std::move(readers)) {}

void SqlDatabase::transact(ConnectionPool& pool, Access access,
                           const std::function<void(Session&)>& body) {
  const bool read_only = access == Access::read_only;
  const std::string_view begin = read_only ? dialect_.begin_read : dialect_.begin_write;
  for (int attempt = 1;; ++attempt) {
    ConnectionPool::Lease lease = pool.acquire();
    try {
      lease->execute_script(begin);
    } catch (const StorageError& error) {
      if (error.kind() == ErrorKind::connection_lost && attempt < begin_attempts) {
        continue;
      }
      throw;
    }
    try {
      body(*lease);
      if (read_only) {
        lease->end_read_only(dialect_.commit);
      } else {
        lease->execute_script(dialect_.commit);
      }
      ++commits_;
      return;
    } catch (...) {
      ++rollbacks_;
      try {
        lease->execute_script(dialect_.rollback);
      } catch (const StorageError&) {
        // The connection is unusable or the transaction already ended; the original error is
        // what the caller needs to see.
      }
      throw;
    }
  }
}

void SqlDatabase::run_read(const std::function<void(ReadTx&)>& fn) {
  transact(*readers_, Access::read_only, [&](Session& session) {
    SqlTx tx(session, dialect_);
    fn(tx);
  });
}

void SqlDatabase::run_write(const std::function<void(WriteTx&)>& fn) {
  if (writing_to == this) {
    throw StorageError(ErrorKind::misuse,
                       "a write transaction was started inside another on the same thread");
  }
  writing_to = this;
  struct Reset {
    ~Reset() { writing_to = nullptr; }
  } reset;
  transact(write_pool(), Access::read_write, [&](Session& session) {
    SqlTx tx(session, dialect_);
    fn(tx);
  });
}

void SqlDatabase::migrate(std::span<const Migration> migrations) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int reached = 0;
  transact(write_pool(), Access::read_write, [&](Session& session) {
    session.execute_script(dialect_.migrations.prepare);
    auto rows = session.query(dialect_.migrations.max_version, {});
    const bool none = rows.empty() || rows.front().at(0).is_null();
    const int current = none ? 0 : static_cast<int>(rows.front().at(0).as_int());
    if (current > known) {
      throw StorageError(ErrorKind::schema_too_new,
                         "the database schema is at version " + std::to_string(current) +
                             " but this ranvier knows versions up to " + std::to_string(known) +
                             "; a newer ranvier has upgraded it: run that version or restore a "
                             "backup");
    }
    for (const Migration& migration : migrations) {
      if (migration.version <= current) {
        continue;
      }
      try {
        session.execute_script(migration.script);
      } catch (const StorageError& error) {
        throw StorageError(ErrorKind::migration_failed,
                           "database migration " + migration_label(migration) +
                               " failed, nothing was changed: " + error.what());
      }
      session.execute(dialect_.migrations.record, {static_cast<std::int64_t>(migration.version),
                                                   migration.name, static_cast<std::int64_t>(now)});
    }
    reached = known;
  });
  schema_version_ = reached;
}

DatabaseStats SqlDatabase::stats() const {
  DatabaseStats stats;
  if (writers_) {
    stats.pools.push_back(writers_->stats());
  }
  stats.pools.push_back(readers_->stats());
  stats.commits_total = commits_.load();
  stats.rollbacks_total = rollbacks_.load();
  return stats;
}

}  // namespace ranvier::storage::sql
