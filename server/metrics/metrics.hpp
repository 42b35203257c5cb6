#pragma once
// Process-wide counters exported as Prometheus text on GET /metrics.
// Updated from network and worker threads, so everything is atomic or locked.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace ranvier::metrics {

/// Request latency buckets in seconds (upper bounds); the last one is +Inf.
inline constexpr std::array<double, 12> latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                         0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

class Registry {
 public:
  /// Counts one finished request. `endpoint` is the operationId, or "unknown" when unrouted.
  void record_request(std::string_view endpoint, int status, double seconds);
  void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }

  /// Extra gauges computed at scrape time (database pool figures, …): name → value.
  using GaugeSource = std::function<std::map<std::string, double>()>;
  void set_gauge_source(GaugeSource source);

  /// The Prometheus text exposition of everything above plus process RSS.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::array<std::uint64_t, latency_buckets.size() + 1> latency_counts_{};
  double latency_sum_ = 0;
  std::uint64_t latency_count_ = 0;
  std::atomic<std::int64_t> open_connections_{0};
  GaugeSource gauges_;
};

/// Resident set size of this process in bytes, from /proc/self/statm (0 if unreadable).
std::uint64_t resident_set_bytes();

}  // namespace ranvier::metrics
