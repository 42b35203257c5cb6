#include "api/nonce_store.hpp"

#include "core/base64.hpp"

#include <sodium.h>

namespace ranvier::api {

std::string NonceStore::issue(Clock::time_point now) {
  char bytes[24];
  randombytes_buf(bytes, sizeof bytes);
  std::string nonce = core::base64url_encode(std::string_view(bytes, sizeof bytes));
  std::lock_guard lock(mutex_);
  forget_expired(now);
  issued_.emplace(nonce, now + lifetime_);
  return nonce;
}

bool NonceStore::consume(const std::string& nonce, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  forget_expired(now);
  return issued_.erase(nonce) == 1;
}

void NonceStore::forget_expired(Clock::time_point now) {
  std::erase_if(issued_, [now](const auto& item) { return item.second <= now; });
}

}  // namespace ranvier::api
