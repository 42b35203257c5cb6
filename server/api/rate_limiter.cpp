#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace ranvier::api {

RateLimiter::RateLimiter(bool enabled, double per_second, std::uint32_t burst)
    : enabled_(enabled), per_second_(per_second), burst_(static_cast<double>(burst)) {}

std::optional<std::int64_t> RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  if (!enabled_) {
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  // Forget buckets that have refilled completely, so memory stays bounded by active clients.
  if (now - last_sweep_ > std::chrono::minutes(1)) {
    const auto full_after = std::chrono::duration<double>(burst_ / per_second_);
    std::erase_if(buckets_, [&](const auto& item) { return now - item.second.updated > full_after; });
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  auto& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  return static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / per_second_ * 1000.0));
}

}  // namespace ranvier::api
