#pragma once
// Delivery of notifications to push gateways (push gateway API, `POST /_matrix/push/v1/notify`).
// The event's transaction queues one row per (notified user's http pusher, event); this worker
// sends them after commit (woken only by commits that queued some: rooms::WorkQueue::push),
// so a slow or dead gateway never holds up a send. A failed attempt is
// retried with exponential back-off; pushkeys the gateway rejects lose their pusher; a
// notification that keeps failing is dropped after `max_attempts`. Once a gateway fails, the
// rest of the round's notifications for it wait for their retry without a request, so one dead
// gateway costs one timeout per round, not one per queued notification.

#include "rooms/notifier.hpp"
#include "rooms/worker_sleep.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ranvier::push {

/// How a gateway answered one notify request.
struct GatewayOutcome {
  /// The HTTP status; 0 when there was no answer (unreachable, timeout, bad URL).
  int status = 0;
  /// The answer's body (its `rejected` pushkeys matter).
  std::string body;
};

/// POSTs `body` to the gateway at `url`.
using GatewayTransport = std::function<GatewayOutcome(const std::string& url, const std::string& body)>;

struct DeliveryOptions {
  std::chrono::milliseconds min_backoff{1'000};
  std::chrono::milliseconds max_backoff{std::chrono::hours(1)};
  /// Attempts before a notification is dropped (with the defaults, about ten hours of trying).
  std::int64_t max_attempts = 16;
  /// Queue rows read per round.
  std::size_t batch = 50;
  /// Milliseconds since the epoch; replaceable so tests control time.
  std::function<std::int64_t()> now_ms;
};

/// The `notification` request body for one queued push (push gateway API, "Notify"): the event,
/// the user's unread count, and the device with its pushkey, data (without `url`) and tweaks.
/// `format: event_id_only` in the pusher data leaves out the event's details.
nlohmann::json notify_body(storage::ReadTx& tx, const storage::QueuedPush& queued);

class PushDelivery {
 public:
  PushDelivery(storage::Database& database, GatewayTransport transport, rooms::Notifier& notifier,
               DeliveryOptions options = {});
  ~PushDelivery();
  PushDelivery(const PushDelivery&) = delete;
  PushDelivery& operator=(const PushDelivery&) = delete;

  /// Starts the worker thread.
  void start();
  /// Stops it (waiting for a request in flight).
  void stop();
  /// Sends what is due now on the calling thread; returns how many queue rows it handled.
  std::size_t deliver_due();

 private:
  void run();
  /// Handles one queued push: send (unless `skip`: its gateway just failed), then finish, retry
  /// later or drop. Returns false when the gateway did not answer or failed on its side.
  bool deliver(const storage::QueuedPush& queued, const nlohmann::json& body, bool skip);

  storage::Database& db_;
  GatewayTransport transport_;
  DeliveryOptions options_;
  rooms::WorkerSleep sleep_;
  std::thread thread_;
};

}  // namespace ranvier::push
