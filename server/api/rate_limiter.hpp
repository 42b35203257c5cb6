#pragma once
// Token buckets for the endpoints the spec marks rate-limited (a 429 response is listed).
// One bucket per endpoint and caller, so logging in does not eat the budget for sending.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ranvier::api {

/// A sustained rate and the burst allowed at once.
struct Rate {
  double per_second = 1.0;
  std::uint32_t burst = 10;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// `per_endpoint` overrides `fallback` for the operationIds it names. enabled=false admits all.
  RateLimiter(bool enabled, Rate fallback, std::map<std::string, Rate, std::less<>> per_endpoint = {});

  /// Takes one token from the bucket of (`endpoint`, `caller`: a user ID or client address).
  /// Returns nullopt when admitted, otherwise how long to wait in milliseconds.
  std::optional<std::int64_t> acquire(std::string_view endpoint, std::string_view caller,
                                      Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  const Rate& rate_for(std::string_view endpoint) const;

  bool enabled_;
  Rate fallback_;
  std::map<std::string, Rate, std::less<>> per_endpoint_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace ranvier::api
