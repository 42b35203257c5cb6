#pragma once
// Pushing events to application services (application service API, "Pushing events"). A
// worker thread follows the event stream for every service with a URL: events the service is
// interested in are queued as a transaction in the same write that moves the service's stream
// position (so nothing is queued twice or lost across restarts), then sent oldest first as
// `PUT /_matrix/app/v1/transactions/{txnId}`. A failed send is retried with the same ID and
// events after an exponential back-off; later transactions wait, so the service sees them in
// order.

#include "appservice/calls.hpp"
#include "appservice/registry.hpp"
#include "rooms/notifier.hpp"
#include "rooms/presence.hpp"
#include "rooms/typing.hpp"
#include "rooms/worker_sleep.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace ranvier::appservice {

struct TransactionOptions {
  std::chrono::milliseconds min_backoff{1'000};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  /// Stream events read per round, and so the most events in one transaction.
  std::size_t batch = 100;
  /// Milliseconds since the epoch; replaceable so tests control time.
  std::function<std::int64_t()> now_ms;
  /// Typing and presence to pass on to services with `receive_ephemeral` (none when null:
  /// presence switched off, or tests without them).
  const rooms::Typing* typing = nullptr;
  const rooms::Presence* presence = nullptr;
};

/// The delay before attempt `attempts + 1`: min × 2^attempts, capped at max.
std::int64_t backoff_ms(std::int64_t attempts, std::chrono::milliseconds min, std::chrono::milliseconds max);

class TransactionWorker {
 public:
  TransactionWorker(storage::Database& database, const Registry& registry, Caller caller, rooms::Notifier& notifier,
                    TransactionOptions options = {});
  ~TransactionWorker();
  TransactionWorker(const TransactionWorker&) = delete;
  TransactionWorker& operator=(const TransactionWorker&) = delete;

  /// Starts the worker thread (nothing happens when no service has a URL).
  void start();
  /// Stops it, waiting for a request in flight.
  void stop();
  /// One round on the calling thread: queue new events, send what is due. Returns the time
  /// (ms since the epoch) the next queued transaction is due, if any.
  std::optional<std::int64_t> run_once();

 private:
  /// Queues the service's share of up to `batch` new stream events; true if it read a full batch.
  bool queue_new_events(const Registration& service);
  /// Sends the service's oldest transaction if due; its due time when it must wait.
  std::optional<std::int64_t> send_next(const Registration& service);
  void run();

  /// How far a service has heard typing and presence. Both live in memory only, so a restart
  /// empties them and everything they hold then is news: these start at 0, in memory too.
  struct LiveMarks {
    std::int64_t typing = 0;
    std::int64_t presence = 0;
  };
  /// Typing and presence EDUs of changes after `marks`, and the marks they reach.
  struct LiveEdus {
    nlohmann::json edus = nlohmann::json::array();
    LiveMarks reached;
  };
  LiveEdus live_edus(storage::ReadTx& tx, const Registration& service, const LiveMarks& marks);

  storage::Database& db_;
  const Registry& registry_;
  Caller caller_;
  TransactionOptions options_;
  rooms::WorkerSleep sleep_;
  std::map<std::string, LiveMarks> marks_;  // worker thread only
  /// Per service, the users whose presence it hears about: worked out when first needed and
  /// again after the worker passes a membership event.
  std::map<std::string, std::vector<std::string>> audiences_;  // worker thread only
  std::thread thread_;
};

}  // namespace ranvier::appservice
