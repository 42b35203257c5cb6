#pragma once
// How a background worker that acts on committed rows (push delivery, application-service
// transactions) waits between rounds: until a commit after the generation it read before
// looking at the database (rooms::Notifier), until its next retry is due, or until it is
// stopped. Reading the generation first means a commit landing while it works is never missed.
// A worker draining one queue table sleeps on that queue's generation only (Notifier::WorkQueue).

#include "rooms/notifier.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace ranvier::rooms {

class WorkerSleep {
 public:
  /// Woken by every commit.
  explicit WorkerSleep(Notifier& notifier) : notifier_(notifier) {}
  /// Woken by commits that queued work for `queue` only.
  WorkerSleep(Notifier& notifier, WorkQueue queue) : notifier_(notifier), queue_(queue) {}

  /// The notifier's generation (or the queue's); read it before looking at the database.
  std::int64_t generation() const { return queue_ ? notifier_.generation(*queue_) : notifier_.generation(); }

  /// Sleeps until a (matching) commit after `generation`, `wait` has passed, or stop(). False once the
  /// worker is to stop.
  bool sleep(std::int64_t generation, std::chrono::milliseconds wait);

  /// Ends the current sleep at once (e.g. more work was handed in).
  void wake();

  /// Ends every sleep for good.
  void stop();

  /// True once stop() was called.
  bool stopping() const;

 private:
  Notifier& notifier_;
  std::optional<WorkQueue> queue_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
};

}  // namespace ranvier::rooms
