#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace ranvier::api {

RateLimiter::RateLimiter(bool enabled, Rate fallback, std::map<std::string, Rate, std::less<>> per_endpoint)
    : enabled_(enabled), fallback_(fallback), per_endpoint_(std::move(per_endpoint)) {}

const Rate& RateLimiter::rate_for(std::string_view endpoint) const {
  auto it = per_endpoint_.find(endpoint);
  return it == per_endpoint_.end() ? fallback_ : it->second;
}

std::optional<std::int64_t> RateLimiter::acquire(std::string_view endpoint, std::string_view caller,
                                                 Clock::time_point now) {
  if (!enabled_) {
    return std::nullopt;
  }
  const Rate& rate = rate_for(endpoint);
  const double burst = static_cast<double>(rate.burst);
  std::string key;
  key.reserve(endpoint.size() + 1 + caller.size());
  key.append(endpoint).append(1, ' ').append(caller);

  std::lock_guard lock(mutex_);
  // Forget buckets that have refilled completely, so memory stays bounded by active callers.
  if (now - last_sweep_ > std::chrono::minutes(1)) {
    std::erase_if(buckets_, [&](const auto& item) {
      const auto& r = rate_for(std::string_view(item.first).substr(0, item.first.find(' ')));
      return now - item.second.updated > std::chrono::duration<double>(r.burst / r.per_second);
    });
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(std::move(key), Bucket{burst, now});
  auto& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst, b.tokens + elapsed * rate.per_second);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  return static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / rate.per_second * 1000.0));
}

}  // namespace ranvier::api
