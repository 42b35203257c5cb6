#pragma once
// A bounded pool of sessions. Connections open lazily up to the bound; a caller that finds
// them all in use waits (with a deadline) instead of opening more, so a burst of requests
// cannot exhaust the database's connection limit. The SQLite writer is a pool of one, which
// is what serializes its writes.

#include "storage/sql/session.hpp"
#include "storage/stats.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ranvier::storage::sql {

class ConnectionPool {
 public:
  using Connect = std::function<std::unique_ptr<Session>()>;

  /// `connect` opens one session (throwing StorageError on failure); it runs outside the lock.
  ConnectionPool(std::string name, std::size_t max_connections, Connect connect,
                 std::chrono::milliseconds wait_timeout);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  /// A borrowed session; returns it to the pool on destruction (or closes it if it broke).
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Session> session)
        : pool_(&pool), session_(std::move(session)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    Session& operator*() const { return *session_; }
    Session* operator->() const { return session_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Session> session_;
  };

  /// Borrows a session, opening one if below the bound; throws StorageError(pool_timeout) after
  /// waiting `wait_timeout`, or what `connect` throws.
  Lease acquire();

  /// A snapshot of the pool's figures.
  PoolStats stats() const;

 private:
  void give_back(std::unique_ptr<Session> session);

  const std::string name_;
  const std::size_t max_connections_;
  const Connect connect_;
  const std::chrono::milliseconds wait_timeout_;

  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Session>> idle_;
  std::size_t open_ = 0;
  std::size_t in_use_ = 0;
  std::uint64_t acquired_total_ = 0;
  std::uint64_t waited_total_ = 0;
  std::uint64_t wait_timeouts_total_ = 0;
  std::chrono::steady_clock::duration waited_for_{};
};

}  // namespace ranvier::storage::sql
