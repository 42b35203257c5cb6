#pragma once
// Token buckets for the endpoints the spec marks rate-limited (a 429 response is listed).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace ranvier::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// per_second: sustained rate; burst: requests allowed at once. enabled=false admits all.
  RateLimiter(bool enabled, double per_second, std::uint32_t burst);

  /// Takes one token for `key` (a user ID or client address). Returns nullopt when admitted,
  /// otherwise how long to wait in milliseconds (for `retry_after_ms`).
  std::optional<std::int64_t> acquire(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  bool enabled_;
  double per_second_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace ranvier::api
