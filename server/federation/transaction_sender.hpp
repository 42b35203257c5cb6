#pragma once
// Sends what the federation outbox holds (server-server API, "Transactions"): per destination,
// the oldest queued PDUs and EDUs (at most 50 and 100) go out as one `PUT /send/{txnId}`;
// the destination's answer removes them, a failure backs the destination off (doubling, from
// `min_backoff` up to `max_backoff`) so a dead server costs nothing until its retry time.
// Items stay in the database until accepted, so the queue survives a restart.
//
// One thread watches the outbox: it wakes when a commit that queued outbox rows bumps the
// notifier (rooms::WorkQueue::federation_outbox), when a back-off ends, or when `reset_backoff` says a destination is back. Destinations are sent to in
// parallel (up to `parallel` at once), each by at most one request at a time, so a
// destination's transactions arrive in order.

#include "rooms/notifier.hpp"
#include "rooms/worker_sleep.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace ranvier::federation {

/// How a destination answered one transaction.
struct TransactionOutcome {
  /// The HTTP status; 0 when there was no answer (unreachable, timeout, TLS failure).
  int status = 0;
  /// What went wrong, for the back-off record and the log.
  std::string error;
};

/// Delivers one transaction body to `destination` as `PUT /_matrix/federation/v1/send/{txn_id}`.
using TransactionTransport =
    std::function<TransactionOutcome(const std::string& destination, const std::string& txn_id, const nlohmann::json& body)>;

struct SenderOptions {
  std::size_t max_pdus = 50;   ///< the spec's limit per transaction
  std::size_t max_edus = 100;  ///< the spec's limit per transaction
  std::chrono::milliseconds min_backoff{2'000};
  std::chrono::milliseconds max_backoff{std::chrono::hours(1)};
  /// Destinations sent to at the same time.
  std::size_t parallel = 4;
  /// Milliseconds since the epoch; replaceable so tests control time.
  std::function<std::int64_t()> now_ms;
};

class TransactionSender {
 public:
  TransactionSender(storage::Database& database, std::string origin, TransactionTransport transport,
                    rooms::Notifier& notifier, SenderOptions options = {});
  ~TransactionSender();
  TransactionSender(const TransactionSender&) = delete;
  TransactionSender& operator=(const TransactionSender&) = delete;

  /// Starts the watching thread (once: a stopped sender stays stopped).
  void start();
  /// Stops it and waits for requests in flight.
  void stop();

  /// Sends at most one transaction to `destination` now, on the calling thread, unless it is
  /// backed off. Returns true when something was sent and accepted.
  bool send_one(const std::string& destination);

  /// The destination contacted us, so it is up: forget its back-off and retry it now. Cheap
  /// (no database access) unless the destination is backed off.
  void reset_backoff(std::string_view destination);

 private:
  void run();
  /// Records a failed attempt: the next one waits twice as long as the last (bounded).
  void back_off(const std::string& destination, const std::string& error);
  void dispatch_due();

  storage::Database& database_;
  std::string origin_;
  TransactionTransport transport_;
  SenderOptions options_;
  rooms::WorkerSleep sleep_;

  /// Guards the sets below. Taken before sleep_'s own lock, never after it: a send that ends
  /// wakes the watcher while still holding it, so the watcher never sees the wake-up before
  /// the destination has left in_flight_.
  std::mutex mutex_;
  /// Signalled when a send ends, for stop().
  std::condition_variable idle_;
  std::set<std::string, std::less<>> in_flight_;
  /// Destinations known to be backed off, so reset_backoff costs nothing for the others.
  std::set<std::string, std::less<>> backed_off_;
  std::thread thread_;
};

}  // namespace ranvier::federation
