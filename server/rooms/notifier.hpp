#pragma once
// Wakes waiting /sync requests when something they may want was committed. Every commit that
// matters to /sync (events, account data, ...) bumps one generation counter. A request reads
// the generation before it reads the database; if nothing new turned up, it waits for the
// generation to move past what it read, so a commit landing in between is never missed.
// Callbacks run on the committing thread, so they must only hand work off, never block.
//
// Background workers that drain a queue table (federation outbox, push queue) wait on that
// queue's own generation instead, so commits that queued nothing for them (most sends in a
// room without remote servers, notifications for users without pushers) leave them asleep.
// The code that inserts queue rows marks the queue on its thread (mark_queued); the same
// thread's next notify(), which callers make after the commit, moves the queue's generation.
// A transaction that rolls back after marking costs one needless wake-up, never a lost one.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace ranvier::rooms {

/// A queue table drained by a background worker.
enum class WorkQueue { federation_outbox, push };

class Notifier {
 public:
  using Wake = std::function<void()>;
  using Ticket = std::uint64_t;

  /// Calls `wake` once the generation is past `seen` (immediately, on this thread, if it
  /// already is). Returns a ticket for `cancel`.
  Ticket wait(std::int64_t seen, Wake wake);

  /// As wait, for `queue`'s generation (commits that queued work for it).
  Ticket wait(WorkQueue queue, std::int64_t seen, Wake wake);

  /// Forgets a waiter that gave up (timeout, closed connection); harmless after it woke.
  void cancel(Ticket ticket);

  /// Records a commit and wakes every waiter, and the waiters of the queues marked on this
  /// thread since its last notify().
  void notify();

  /// The current generation.
  std::int64_t generation() const;

  /// The generation of `queue`.
  std::int64_t generation(WorkQueue queue) const;

  /// Notes that the write transaction running on this thread inserted rows into `queue`.
  /// Call it inside the transaction; the wake-up waits for this thread's next notify().
  static void mark_queued(WorkQueue queue);

  /// Wakes the waiters of the queues marked on this thread that no notify() has taken yet,
  /// and nobody else (/sync waiters stay asleep). Free when nothing is marked. The request
  /// dispatcher calls it after every handler, so a write that queued work without a notify()
  /// (an administrative logout announcing device removals, say) still wakes its worker now
  /// rather than at the worker's idle time-out.
  void flush_queued();

 private:
  static constexpr std::size_t queue_count = 2;
  struct Waiter {
    /// nullopt: every commit.
    std::optional<WorkQueue> queue;
    Wake wake;
  };
  Ticket add_waiter(std::optional<WorkQueue> queue, std::int64_t seen, Wake& wake);
  /// Moves the generations of the queues marked on this thread and wakes their waiters; with
  /// `every_commit_waiter` also the commit generation and its waiters (notify()).
  void wake_marked(bool every_commit_waiter);

  mutable std::mutex mutex_;
  std::int64_t generation_ = 0;
  std::array<std::int64_t, queue_count> queue_generations_{};
  Ticket next_ticket_ = 1;
  std::map<Ticket, Waiter> waiters_;
};

}  // namespace ranvier::rooms
