#pragma once
// Connection-pool figures for the metrics endpoint: plain numbers, no metrics library.

#include <cstdint>
#include <string>
#include <vector>

namespace ranvier::storage {

/// One connection pool. Counters only grow; gauges are a snapshot.
struct PoolStats {
  /// "sqlite_writer", "sqlite_readers" or "postgres".
  std::string name;
  std::uint32_t max_connections = 0;
  /// Gauge: connections currently open (idle or in use).
  std::uint32_t open_connections = 0;
  /// Gauge: connections currently lent to a transaction.
  std::uint32_t in_use = 0;
  /// Counter: connections handed out.
  std::uint64_t acquired_total = 0;
  /// Counter: hand-outs that had to wait for a connection to come back.
  std::uint64_t waited_total = 0;
  /// Counter: waits that gave up (ErrorKind::pool_timeout).
  std::uint64_t wait_timeouts_total = 0;
  /// Counter: time spent waiting, in seconds.
  double wait_seconds_total = 0;
};

/// Figures of a whole database.
struct DatabaseStats {
  std::vector<PoolStats> pools;
  std::uint64_t commits_total = 0;
  std::uint64_t rollbacks_total = 0;
};

}  // namespace ranvier::storage
