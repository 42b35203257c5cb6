#pragma once
// Wakes waiting /sync requests when something they may want was committed. Every commit that
// matters to /sync (events, account data, ...) bumps one generation counter. A request reads
// the generation before it reads the database; if nothing new turned up, it waits for the
// generation to move past what it read, so a commit landing in between is never missed.
// Callbacks run on the committing thread, so they must only hand work off, never block.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace ranvier::rooms {

class Notifier {
 public:
  using Wake = std::function<void()>;
  using Ticket = std::uint64_t;

  /// Calls `wake` once the generation is past `seen` (immediately, on this thread, if it
  /// already is). Returns a ticket for `cancel`.
  Ticket wait(std::int64_t seen, Wake wake);

  /// Forgets a waiter that gave up (timeout, closed connection); harmless after it woke.
  void cancel(Ticket ticket);

  /// Records a commit and wakes every waiter.
  void notify();

  /// The current generation.
  std::int64_t generation() const;

 private:
  mutable std::mutex mutex_;
  std::int64_t generation_ = 0;
  Ticket next_ticket_ = 1;
  std::map<Ticket, Wake> waiters_;
};

}  // namespace ranvier::rooms
