#include "rooms/notifier.hpp"

#include <vector>

namespace ranvier::rooms {
namespace {

// Queues marked by the transaction(s) this thread ran since its last notify(), one bit each.
thread_local unsigned marked_queues = 0;

unsigned bit(WorkQueue queue) { return 1u << static_cast<unsigned>(queue); }

}  // namespace

void Notifier::mark_queued(WorkQueue queue) { marked_queues |= bit(queue); }

Notifier::Ticket Notifier::add_waiter(std::optional<WorkQueue> queue, std::int64_t seen, Wake& wake) {
  std::lock_guard lock(mutex_);
  const auto current = queue ? queue_generations_[static_cast<std::size_t>(*queue)] : generation_;
  if (current > seen) {
    return 0;
  }
  const auto ticket = next_ticket_++;
  waiters_.emplace(ticket, Waiter{queue, std::move(wake)});
  return ticket;
}

Notifier::Ticket Notifier::wait(std::int64_t seen, Wake wake) {
  const auto ticket = add_waiter(std::nullopt, seen, wake);
  if (ticket == 0) {
    wake();
  }
  return ticket;
}

Notifier::Ticket Notifier::wait(WorkQueue queue, std::int64_t seen, Wake wake) {
  const auto ticket = add_waiter(queue, seen, wake);
  if (ticket == 0) {
    wake();
  }
  return ticket;
}

void Notifier::cancel(Ticket ticket) {
  std::lock_guard lock(mutex_);
  waiters_.erase(ticket);
}

void Notifier::notify() { wake_marked(true); }

void Notifier::flush_queued() {
  if (marked_queues != 0) {
    wake_marked(false);
  }
}

void Notifier::wake_marked(bool every_commit_waiter) {
  const unsigned marked = marked_queues;
  marked_queues = 0;
  std::vector<Wake> woken;
  {
    std::lock_guard lock(mutex_);
    if (every_commit_waiter) {
      ++generation_;
    }
    for (std::size_t queue = 0; queue < queue_count; ++queue) {
      if (marked & (1u << queue)) {
        ++queue_generations_[queue];
      }
    }
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      const bool wakes = it->second.queue ? (marked & bit(*it->second.queue)) != 0 : every_commit_waiter;
      if (wakes) {
        woken.push_back(std::move(it->second.wake));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& wake : woken) {
    wake();
  }
}

std::int64_t Notifier::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::int64_t Notifier::generation(WorkQueue queue) const {
  std::lock_guard lock(mutex_);
  return queue_generations_[static_cast<std::size_t>(queue)];
}

}  // namespace ranvier::rooms
