#include "storage/sql/pool.hpp"

#include "storage/errors.hpp"

namespace ranvier::storage::sql {

ConnectionPool::ConnectionPool(std::string name, std::size_t max_connections, Connect connect,
                               std::chrono::milliseconds wait_timeout)
    : name_(std::move(name)),
      max_connections_(max_connections == 0 ? 1 : max_connections),
      connect_(std::move(connect)),
      wait_timeout_(wait_timeout) {}

ConnectionPool::Lease::~Lease() {
  if (session_) {
    pool_->give_back(std::move(session_));
  }
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const auto start = std::chrono::steady_clock::now();
  bool waited = false;
  for (;;) {
    while (!idle_.empty()) {
      std::unique_ptr<Session> session = std::move(idle_.back());
      idle_.pop_back();
      if (!session->healthy()) {
        --open_;
        continue;
      }
      ++in_use_;
      ++acquired_total_;
      if (waited) {
        waited_for_ += std::chrono::steady_clock::now() - start;
      }
      return Lease(*this, std::move(session));
    }
    if (open_ < max_connections_) {
      break;
    }
    if (!waited) {
      waited = true;
      ++waited_total_;
    }
    if (returned_.wait_until(lock, start + wait_timeout_) == std::cv_status::timeout &&
        idle_.empty() && open_ >= max_connections_) {
      ++wait_timeouts_total_;
      waited_for_ += std::chrono::steady_clock::now() - start;
      throw StorageError(ErrorKind::pool_timeout,
                         "no " + name_ + " database connection became free within " +
                             std::to_string(wait_timeout_.count()) + " ms (all " +
                             std::to_string(max_connections_) + " busy)");
    }
  }
  // Reserve the slot before unlocking so concurrent callers cannot overshoot the bound.
  ++open_;
  ++in_use_;
  ++acquired_total_;
  if (waited) {
    waited_for_ += std::chrono::steady_clock::now() - start;
  }
  lock.unlock();
  try {
    return Lease(*this, connect_());
  } catch (...) {
    lock.lock();
    --open_;
    --in_use_;
    lock.unlock();
    returned_.notify_one();
    throw;
  }
}

void ConnectionPool::give_back(std::unique_ptr<Session> session) {
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (session->healthy()) {
      idle_.push_back(std::move(session));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
  // A broken session is destroyed here, outside the lock.
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard lock(mutex_);
  PoolStats stats;
  stats.name = name_;
  stats.max_connections = static_cast<std::uint32_t>(max_connections_);
  stats.open_connections = static_cast<std::uint32_t>(open_);
  stats.in_use = static_cast<std::uint32_t>(in_use_);
  stats.acquired_total = acquired_total_;
  stats.waited_total = waited_total_;
  stats.wait_timeouts_total = wait_timeouts_total_;
  stats.wait_seconds_total = std::chrono::duration<double>(waited_for_).count();
  return stats;
}

}  // namespace ranvier::storage::sql
