#pragma once
// Database implemented once for every SQL backend: transactions, migrations and stats over
// the backend's pools and SQL text. Backends only open connections and supply a Dialect.

#include "storage/database.hpp"
#include "storage/sql/pool.hpp"
#include "storage/sql/queries.hpp"

#include <atomic>
#include <memory>
#include <span>

namespace ranvier::storage::sql {

class SqlDatabase final : public Database {
 public:
  /// `writers` may be null: then writes borrow from `readers` too (PostgreSQL, where any
  /// connection can write). With SQLite, `writers` is a pool of one.
  SqlDatabase(Backend backend, const Dialect& dialect, std::unique_ptr<ConnectionPool> readers,
              std::unique_ptr<ConnectionPool> writers);

  /// Brings the schema up to the last of `migrations` in one transaction, or refuses a
  /// database that is newer than them. Call once, before any other use.
  void migrate(std::span<const Migration> migrations);

  Backend backend() const override { return backend_; }
  int schema_version() const override { return schema_version_; }
  DatabaseStats stats() const override;

 protected:
  void run_read(const std::function<void(ReadTx&)>& fn) override;
  void run_write(const std::function<void(WriteTx&)>& fn) override;

 private:
  ConnectionPool& write_pool() { return writers_ ? *writers_ : *readers_; }
  enum class Access { read_only, read_write };
  void transact(ConnectionPool& pool, Access access, const std::function<void(Session&)>& body);

  const Backend backend_;
  const Dialect& dialect_;
  // Declared before readers_ so it is closed last: SQLite's last connection checkpoints the
  // WAL and removes it, which a read-only connection cannot do.
  std::unique_ptr<ConnectionPool> writers_;
  std::unique_ptr<ConnectionPool> readers_;
  int schema_version_ = 0;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> rollbacks_{0};
};

}  // namespace ranvier::storage::sql
