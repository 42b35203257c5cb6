#include "rooms/notifier.hpp"


namespace ranvier::rooms {

Notifier::Ticket Notifier::wait(std::int64_t seen, Wake wake) {
  {
    std::lock_guard lock(mutex_);
    if (generation_ <= seen) {
      auto ticket = next_ticket_++;
      waiters_.emplace(ticket, std::move(wake));
      return ticket;
    }
  }
  wake();
  return 0;
}

void Notifier::cancel(Ticket ticket) {
  std::lock_guard lock(mutex_);
  waiters_.erase(ticket);
}

void Notifier::notify() {
  std::map<Ticket, Wake> woken;
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    woken.swap(waiters_);
  }
  for (auto& [ticket, wake] : woken) {
    wake();
  }
}

std::int64_t Notifier::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

}  // namespace ranvier::rooms
