#pragma once
// Single-use nonces with a lifetime, for Synapse-compatible shared-secret registration.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ranvier::api {

class NonceStore {
 public:
  using Clock = std::chrono::steady_clock;
  explicit NonceStore(Clock::duration lifetime = std::chrono::seconds(60)) : lifetime_(lifetime) {}

  /// A new random nonce, valid for the lifetime.
  std::string issue(Clock::time_point now = Clock::now());
  /// True (and the nonce is spent) if `nonce` was issued and has not expired or been used.
  bool consume(const std::string& nonce, Clock::time_point now = Clock::now());

 private:
  void forget_expired(Clock::time_point now);
  Clock::duration lifetime_;
  std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> issued_;
};

}  // namespace ranvier::api
