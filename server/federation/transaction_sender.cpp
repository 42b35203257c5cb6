#include "federation/transaction_sender.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace ranvier::federation {
namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The answers after which sending the same transaction again cannot succeed: the destination
// refused the transaction as such (malformed or too large). Its items are dropped rather than
// blocking everything queued behind them.
bool refused_for_good(int status) { return status == 400 || status == 413; }

}  // namespace

TransactionSender::TransactionSender(storage::Database& database, std::string origin, TransactionTransport transport,
                                     rooms::Notifier& notifier, SenderOptions options)
    : database_(database),
      origin_(std::move(origin)),
      transport_(std::move(transport)),
      options_(std::move(options)),
      sleep_(notifier, rooms::WorkQueue::federation_outbox) {
  if (!options_.now_ms) {
    options_.now_ms = system_now_ms;
  }
}

TransactionSender::~TransactionSender() { stop(); }

void TransactionSender::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !sleep_.stopping()) {
    thread_ = std::thread([this] { run(); });
  }
}

void TransactionSender::stop() {
  sleep_.stop();
  {
    // dispatch_due checks for stopping under mutex_, so nothing enters in_flight_ after this
    // sees it empty. Requests in flight end by their own timeout; their threads must not
    // outlive us.
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return in_flight_.empty(); });
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

void TransactionSender::reset_backoff(std::string_view destination) {
  {
    std::lock_guard lock(mutex_);
    const auto it = backed_off_.find(destination);
    if (it == backed_off_.end()) {
      return;
    }
    backed_off_.erase(it);
  }
  database_.write([&](storage::WriteTx& tx) { tx.federation_outbox().clear_backoff(destination); });
  sleep_.wake();
}

bool TransactionSender::send_one(const std::string& destination) {
  const auto now = options_.now_ms();
  auto [items, backoff] = database_.read([&](storage::ReadTx& tx) {
    return std::pair{tx.federation_outbox().pending(destination, options_.max_pdus, options_.max_edus),
                     tx.federation_outbox().backoff(destination)};
  });
  if (backoff) {
    // Also after a restart: the back-off is in the database, the set starts empty.
    std::lock_guard lock(mutex_);
    backed_off_.insert(destination);
  }
  if (items.empty() || (backoff && backoff->retry_at_ms > now)) {
    return false;
  }
  nlohmann::json pdus = nlohmann::json::array();
  nlohmann::json edus = nlohmann::json::array();
  std::vector<std::int64_t> streams;
  for (const auto& item : items) {
    auto body = nlohmann::json::parse(item.body, nullptr, false);
    streams.push_back(item.stream);
    if (body.is_discarded()) {
      continue;  // cannot happen for what the server queued itself; never send it
    }
    (item.kind == storage::OutboundKind::pdu ? pdus : edus).push_back(std::move(body));
  }
  std::sort(streams.begin(), streams.end());
  // The same items give the same ID, so a retry after an unanswered attempt is recognised by
  // the destination as the transaction it may already have processed.
  const std::string txn_id = std::to_string(streams.front()) + "." + std::to_string(streams.back()) + "." +
                             std::to_string(streams.size());
  nlohmann::json transaction{{"origin", origin_}, {"origin_server_ts", now}, {"pdus", std::move(pdus)}};
  if (!edus.empty()) {
    transaction["edus"] = std::move(edus);
  }
  const auto outcome = transport_(destination, txn_id, transaction);
  const bool accepted = outcome.status >= 200 && outcome.status < 300;
  if (accepted || refused_for_good(outcome.status)) {
    if (!accepted) {
      std::fprintf(stderr, "ranvier: federation: %s refused transaction %s (HTTP %d: %s); dropping its %zu items\n",
                   destination.c_str(), txn_id.c_str(), outcome.status, outcome.error.c_str(), streams.size());
    }
    database_.write([&](storage::WriteTx& tx) {
      tx.federation_outbox().remove(destination, streams);
      tx.federation_outbox().clear_backoff(destination);
    });
    std::lock_guard lock(mutex_);
    backed_off_.erase(destination);
    return accepted;
  }
  back_off(destination,
           outcome.status == 0 ? outcome.error : "HTTP " + std::to_string(outcome.status) + ": " + outcome.error);
  return false;
}

void TransactionSender::back_off(const std::string& destination, const std::string& error) {
  const auto min_ms = options_.min_backoff.count();
  const auto max_ms = options_.max_backoff.count();
  const std::int64_t next = database_.write([&](storage::WriteTx& tx) {
    const auto previous = tx.federation_outbox().backoff(destination);
    const std::int64_t interval = previous ? std::clamp<std::int64_t>(previous->backoff_ms * 2, min_ms, max_ms) : min_ms;
    tx.federation_outbox().set_backoff(storage::DestinationBackoff{.destination = destination,
                                                                   .retry_at_ms = options_.now_ms() + interval,
                                                                   .backoff_ms = interval,
                                                                   .last_error = error});
    return interval;
  });
  {
    std::lock_guard lock(mutex_);
    backed_off_.insert(destination);
  }
  std::fprintf(stderr, "ranvier: federation: sending to %s failed (%s); next attempt in %lld ms\n",
               destination.c_str(), error.c_str(), static_cast<long long>(next));
}

void TransactionSender::dispatch_due() {
  const auto due = database_.read([&](storage::ReadTx& tx) {
    return tx.federation_outbox().due_destinations(options_.now_ms(), options_.parallel * 4);
  });
  std::lock_guard lock(mutex_);
  for (const auto& destination : due) {
    if (sleep_.stopping() || in_flight_.size() >= options_.parallel) {
      break;
    }
    if (!in_flight_.insert(destination).second) {
      continue;
    }
    std::thread([this, destination] {
      try {
        send_one(destination);
      } catch (const std::exception& e) {
        // A database failure: back off like an unreachable destination instead of retrying
        // at once in a loop.
        try {
          back_off(destination, e.what());
        } catch (const std::exception&) {
        }
      }
      std::lock_guard done(mutex_);
      in_flight_.erase(destination);
      // More may be queued for it, or for destinations that waited for a free slot.
      sleep_.wake();
      idle_.notify_all();
    }).detach();
  }
}

void TransactionSender::run() {
  while (true) {
    const auto generation = sleep_.generation();
    try {
      dispatch_due();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ranvier: federation: reading the outbox: %s\n", e.what());
    }
    std::optional<std::int64_t> retry_at;
    try {
      retry_at = database_.read([](storage::ReadTx& tx) { return tx.federation_outbox().next_retry_at(); });
    } catch (const std::exception&) {
      retry_at = options_.now_ms() + options_.min_backoff.count();
    }
    const auto wait_ms = retry_at ? std::max<std::int64_t>(*retry_at - options_.now_ms(), 1) : 60'000;
    if (!sleep_.sleep(generation, std::chrono::milliseconds(wait_ms))) {
      break;
    }
  }
}

}  // namespace ranvier::federation
