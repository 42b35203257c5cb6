#include "rooms/worker_sleep.hpp"

namespace ranvier::rooms {

bool WorkerSleep::sleep(std::int64_t generation, std::chrono::milliseconds wait) {
  // Called on a committing thread (or here, when a commit already happened): only flags.
  auto wake_me = [this] { wake(); };
  const auto ticket = queue_ ? notifier_.wait(*queue_, generation, wake_me) : notifier_.wait(generation, wake_me);
  bool stop = false;
  {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
    woken_ = false;
    stop = stopping_;
  }
  notifier_.cancel(ticket);
  return !stop;
}

void WorkerSleep::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void WorkerSleep::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
}

bool WorkerSleep::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace ranvier::rooms
