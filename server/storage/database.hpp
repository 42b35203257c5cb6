#pragma once
// The storage entry point: open a database from its URL, then read and write in transactions.
//
//   auto db = storage::open_database("sqlite:///var/lib/ranvier/ranvier.db");
//   auto created = db->write([&](storage::WriteTx& tx) { return tx.accounts().create(account); });
//   auto owner = db->read([&](storage::ReadTx& tx) { return tx.tokens().lookup(token); });
//
// Calls are synchronous and thread-safe: run them from worker threads, never from a network
// thread. A transaction's stores must not be used after the callback returns.

#include "storage/account_data.hpp"
#include "storage/admin.hpp"
#include "storage/accounts.hpp"
#include "storage/database_url.hpp"
#include "storage/devices.hpp"
#include "storage/e2e_keys.hpp"
#include "storage/events.hpp"
#include "storage/federation_inbox.hpp"
#include "storage/key_backup.hpp"
#include "storage/media.hpp"
#include "storage/federation_outbox.hpp"
#include "storage/notifications.hpp"
#include "storage/profiles.hpp"
#include "storage/pushers.hpp"
#include "storage/appservices.hpp"
#include "storage/reports.hpp"
#include "storage/search.hpp"
#include "storage/server_keys.hpp"
#include "storage/receipts.hpp"
#include "storage/registration_tokens.hpp"
#include "storage/rooms.hpp"
#include "storage/state.hpp"
#include "storage/stats.hpp"
#include "storage/to_device.hpp"
#include "storage/tokens.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ranvier::storage {

/// The stores visible inside a read transaction; every read sees one consistent snapshot.
class ReadTx {
 public:
  virtual ~ReadTx() = default;
  virtual AccountReads& accounts() = 0;
  virtual AccountDataReads& account_data() = 0;
  virtual DeviceReads& devices() = 0;
  virtual ProfileReads& profiles() = 0;
  virtual TokenReads& tokens() = 0;
  virtual EventReads& events() = 0;
  virtual StateReads& state() = 0;
  virtual RoomReads& rooms() = 0;
  virtual RegistrationTokenReads& registration_tokens() = 0;
  virtual ReceiptReads& receipts() = 0;
  virtual ToDeviceReads& to_device() = 0;
  virtual E2eKeyReads& e2e_keys() = 0;
  virtual KeyBackupReads& key_backup() = 0;
  virtual FederationInboxReads& federation_inbox() = 0;
  virtual FederationOutboxReads& federation_outbox() = 0;
  virtual NotificationReads& notifications() = 0;
  virtual PusherReads& pushers() = 0;
  virtual SearchReads& search() = 0;
  virtual ReportReads& reports() = 0;
  virtual ServerKeyReads& server_keys() = 0;
  virtual MediaReads& media() = 0;
  virtual AdminReads& admin() = 0;
  virtual AppserviceReads& appservices() = 0;
};

/// The stores visible inside a write transaction. A WriteTx is also a ReadTx, so read helpers
/// taking `ReadTx&` work inside writes.
class WriteTx : public ReadTx {
 public:
  AccountStore& accounts() override = 0;
  AccountDataStore& account_data() override = 0;
  DeviceStore& devices() override = 0;
  ProfileStore& profiles() override = 0;
  TokenStore& tokens() override = 0;
  EventStore& events() override = 0;
  StateStore& state() override = 0;
  RoomStore& rooms() override = 0;
  RegistrationTokenStore& registration_tokens() override = 0;
  ReceiptStore& receipts() override = 0;
  ToDeviceStore& to_device() override = 0;
  E2eKeyStore& e2e_keys() override = 0;
  KeyBackupStore& key_backup() override = 0;
  FederationInboxStore& federation_inbox() override = 0;
  FederationOutboxStore& federation_outbox() override = 0;
  NotificationStore& notifications() override = 0;
  PusherStore& pushers() override = 0;
  SearchStore& search() override = 0;
  ReportStore& reports() override = 0;
  ServerKeyStore& server_keys() override = 0;
  MediaStore& media() override = 0;
  AdminStore& admin() override = 0;
  AppserviceStore& appservices() override = 0;
};

/// Tuning for open_database; the defaults suit a small server.
struct OpenOptions {
  /// Read connections for SQLite, all connections for PostgreSQL; 0 picks the backend default
  /// (SQLite 4 readers, PostgreSQL 10).
  std::size_t max_connections = 0;
  /// How long a transaction may wait for a free connection before ErrorKind::pool_timeout.
  std::chrono::milliseconds pool_wait_timeout{10'000};
  /// How long SQLite waits for a lock held by another process (e.g. `ranvier register-user`
  /// while the server runs).
  std::chrono::milliseconds busy_timeout{5'000};
  /// PostgreSQL connect timeout, unless the URL sets `connect_timeout` itself.
  std::chrono::seconds connect_timeout{10};
};

/// An open database. Create with open_database; destroy only after every transaction ended.
///
/// A StorageError thrown inside a transaction callback should be left to propagate: PostgreSQL
/// refuses every further statement of a transaction after a failed one, so catching it and
/// carrying on works on SQLite only. Expected outcomes (`CreateResult::exists`, nullopt) are
/// not errors and need no catching.
class Database {
 public:
  virtual ~Database() = default;

  /// Runs `fn(ReadTx&)` in a read-only transaction and returns what it returns.
  template <typename F>
  auto read(F&& fn) -> std::invoke_result_t<F&, ReadTx&> {
    return run_returning<ReadTx>(
        fn, [this](const std::function<void(ReadTx&)>& body) { run_read(body); });
  }

  /// Runs `fn(WriteTx&)` in a transaction that commits when `fn` returns and rolls back when it
  /// throws (the exception propagates). Writes are serialized where the backend needs it
  /// (SQLite); a write may not be nested inside another write on the same thread, and a read
  /// started inside a write does not see that write's uncommitted changes.
  template <typename F>
  auto write(F&& fn) -> std::invoke_result_t<F&, WriteTx&> {
    return run_returning<WriteTx>(
        fn, [this](const std::function<void(WriteTx&)>& body) { run_write(body); });
  }

  /// Which engine this is.
  virtual Backend backend() const = 0;

  /// The schema version the database is at (the number of the last migration applied).
  virtual int schema_version() const = 0;

  /// Pool and transaction figures for /metrics.
  virtual DatabaseStats stats() const = 0;

 protected:
  virtual void run_read(const std::function<void(ReadTx&)>& fn) = 0;
  virtual void run_write(const std::function<void(WriteTx&)>& fn) = 0;

 private:
  template <typename Tx, typename F, typename Run>
  static auto run_returning(F& fn, Run&& run) -> std::invoke_result_t<F&, Tx&> {
    using Result = std::invoke_result_t<F&, Tx&>;
    if constexpr (std::is_void_v<Result>) {
      run([&](Tx& tx) { fn(tx); });
    } else {
      static_assert(!std::is_reference_v<Result>,
                    "return values from transactions, not references into them");
      std::optional<Result> result;
      run([&](Tx& tx) { result.emplace(fn(tx)); });
      return std::move(*result);
    }
  }
};

/// Opens (creating if needed, for SQLite) the database at `url`, applies pending migrations in
/// one transaction and returns it ready for use. Throws StorageError: bad_url, unavailable
/// (cannot open or connect), schema_too_new, migration_failed.
std::unique_ptr<Database> open_database(std::string_view url, const OpenOptions& options = {});

}  // namespace ranvier::storage
