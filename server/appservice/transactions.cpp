#include "appservice/transactions.hpp"

#include "appservice/ephemeral.hpp"

#include "core/room_version.hpp"
#include "rooms/client_event.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace ranvier::appservice {
namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The transaction body: its events in client format, in stream order. Events gone since they
/// were queued (purged) are left out.
nlohmann::json transaction_body(storage::ReadTx& tx, const storage::AppserviceTxn& txn, std::int64_t now) {
  std::vector<std::string> ids;
  const auto listed = nlohmann::json::parse(txn.events, nullptr, false);
  if (listed.is_array()) {
    for (const auto& id : listed) {
      if (id.is_string()) {
        ids.push_back(id.get<std::string>());
      }
    }
  }
  auto events = nlohmann::json::array();
  for (const auto& event : tx.events().get_many(ids)) {
    const auto room = tx.rooms().get(event.room_id);
    const core::RoomVersion* version = room ? core::find_room_version(room->room_version) : nullptr;
    if (version == nullptr) {
      continue;
    }
    std::optional<storage::StoredEvent> redaction;
    if (event.redacted_by) {
      redaction = tx.events().get_row(*event.redacted_by);
    }
    events.push_back(rooms::client_event(event, *version, now, redaction ? &*redaction : nullptr));
  }
  nlohmann::json body = {{"events", events}};
  auto ephemeral = nlohmann::json::parse(txn.ephemeral, nullptr, false);
  if (ephemeral.is_array() && !ephemeral.empty()) {
    body["ephemeral"] = std::move(ephemeral);
  }
  return body;
}

}  // namespace

std::int64_t backoff_ms(std::int64_t attempts, std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const auto factor = std::int64_t{1} << std::clamp<std::int64_t>(attempts, 0, 30);
  return std::min<std::int64_t>(min.count() * factor, max.count());
}

TransactionWorker::TransactionWorker(storage::Database& database, const Registry& registry, Caller caller,
                                     rooms::Notifier& notifier, TransactionOptions options)
    : db_(database), registry_(registry), caller_(std::move(caller)), options_(std::move(options)), sleep_(notifier) {
  if (!options_.now_ms) {
    options_.now_ms = system_now_ms;
  }
}

TransactionWorker::~TransactionWorker() { stop(); }

TransactionWorker::LiveEdus TransactionWorker::live_edus(storage::ReadTx& tx, const Registration& service,
                                                        const LiveMarks& marks) {
  LiveEdus live{.reached = marks};
  if (!service.receive_ephemeral) {
    return live;
  }
  std::map<std::string, RoomFacts> rooms;
  const RoomFactsOf facts = [&](const std::string& room_id) -> const RoomFacts& { return facts_of(tx, rooms, room_id); };
  if (options_.typing != nullptr) {
    // A room changed again after the position was read waits for the next round.
    const auto up_to = options_.typing->position();
    std::vector<std::string> changed;
    for (const auto& [room_id, position] : options_.typing->rooms_changed_since(marks.typing)) {
      if (position <= up_to) {
        changed.push_back(room_id);
      }
    }
    live.edus = typing_edus(registry_, service, *options_.typing, changed, facts);
    live.reached.typing = up_to;
  }
  if (options_.presence != nullptr && options_.presence->position() > marks.presence) {
    const auto up_to = options_.presence->position();
    auto audience = audiences_.find(service.id);
    if (audience == audiences_.end()) {
      audience = audiences_.emplace(service.id, presence_audience(tx, registry_, service)).first;
    }
    auto changes = options_.presence->changed_since(audience->second, marks.presence);
    std::erase_if(changes, [&](const auto& change) { return change.second.position > up_to; });
    for (auto& edu : presence_edus(changes, options_.now_ms())) {
      live.edus.push_back(std::move(edu));
    }
    live.reached.presence = up_to;
  }
  return live;
}

bool TransactionWorker::queue_new_events(const Registration& service) {
  auto& marks = marks_[service.id];
  LiveEdus live;
  // Most wake-ups (typing elsewhere, other commits) bring nothing for the service: no write
  // transaction then, so the single SQLite writer is not taken for nothing.
  const bool behind = db_.read([&](storage::ReadTx& tx) {
    live = live_edus(tx, service, marks);
    auto& store = tx.appservices();
    const auto position = store.stream_position(service.id);
    if (!position || *position < tx.events().max_stream()) {
      return true;
    }
    return service.receive_ephemeral && store.receipt_position(service.id) < store.max_receipt_stream();
  });
  if (!behind && live.edus.empty()) {
    marks = live.reached;
    return false;
  }
  bool memberships_moved = false;
  const bool more = db_.write([&](storage::WriteTx& tx) {
    memberships_moved = false;
    auto& store = tx.appservices();
    const auto up_to = tx.events().max_stream();
    const auto receipts_up_to = store.max_receipt_stream();
    const auto position = store.stream_position(service.id);
    if (!position) {
      // A new service hears about what happens from now on, not about all of history.
      store.set_stream_position(service.id, up_to);
      store.set_receipt_position(service.id, receipts_up_to);
      return false;
    }
    const auto events = store.timeline_after(*position, up_to, options_.batch);
    std::map<std::string, RoomFacts> rooms;
    auto interesting = nlohmann::json::array();
    for (const auto& event : events) {
      const auto json = nlohmann::json::parse(event.json, nullptr, false);
      if (!json.is_object()) {
        continue;
      }
      memberships_moved = memberships_moved || json.value("type", "") == "m.room.member";
      const auto sender = json.value("sender", "");
      std::optional<std::string> state_key;
      if (const auto it = json.find("state_key"); it != json.end() && it->is_string()) {
        state_key = it->get<std::string>();
      }
      const auto& facts = facts_of(tx, rooms, event.room_id);
      const EventFacts about{sender, state_key, event.room_id, &facts.aliases, &facts.members};
      if (registry_.interested(service, about)) {
        interesting.push_back(event.event_id);
      }
    }
    const bool full = events.size() == options_.batch;
    const auto reached = full ? events.back().stream : up_to;
    auto ephemeral = nlohmann::json::array();
    bool receipts_full = false;
    if (service.receive_ephemeral) {
      const auto from = store.receipt_position(service.id);
      const auto receipts = store.receipts_after(from, receipts_up_to, options_.batch);
      ephemeral = receipt_edus(registry_, service, receipts,
                               [&](const std::string& room_id) -> const RoomFacts& { return facts_of(tx, rooms, room_id); });
      receipts_full = receipts.size() == options_.batch;
      const auto receipts_reached = receipts_full ? receipts.back().stream : receipts_up_to;
      if (receipts_reached != from) {
        store.set_receipt_position(service.id, receipts_reached);
      }
    }
    for (const auto& edu : live.edus) {
      ephemeral.push_back(edu);
    }
    if (!interesting.empty() || !ephemeral.empty()) {
      store.add_txn(service.id, interesting.dump(), ephemeral.dump(), options_.now_ms());
    }
    if (reached != *position) {
      store.set_stream_position(service.id, reached);
    }
    return full || receipts_full;
  });
  marks = live.reached;
  if (memberships_moved) {
    audiences_.erase(service.id);
  }
  return more;
}

std::optional<std::int64_t> TransactionWorker::send_next(const Registration& service) {
  const auto now = options_.now_ms();
  auto next = db_.read([&](storage::ReadTx& tx) -> std::optional<std::pair<storage::AppserviceTxn, nlohmann::json>> {
    auto txn = tx.appservices().oldest_txn(service.id);
    if (!txn) {
      return std::nullopt;
    }
    auto body = txn->next_attempt_ts <= now ? transaction_body(tx, *txn, now) : nlohmann::json();
    return std::pair{std::move(*txn), std::move(body)};
  });
  if (!next) {
    return std::nullopt;
  }
  const auto& [txn, body] = *next;
  if (txn.next_attempt_ts > now) {
    return txn.next_attempt_ts;
  }
  const auto outcome = caller_(service, "PUT", "/_matrix/app/v1/transactions/" + std::to_string(txn.txn_id), body.dump());
  if (outcome.ok()) {
    db_.write([&](storage::WriteTx& tx) { tx.appservices().finish_txn(service.id, txn.txn_id); });
    return now;  // the next one may go right away
  }
  const auto retry_at = options_.now_ms() + backoff_ms(txn.attempts, options_.min_backoff, options_.max_backoff);
  db_.write([&](storage::WriteTx& tx) { tx.appservices().retry_txn(service.id, txn.txn_id, retry_at); });
  std::fprintf(stderr, "ranvier: appservice %s: transaction %lld not accepted (%s%d) — retrying\n",
               service.id.c_str(), static_cast<long long>(txn.txn_id), outcome.message.c_str(), outcome.status);
  return retry_at;
}

std::optional<std::int64_t> TransactionWorker::run_once() {
  std::optional<std::int64_t> due;
  for (const auto& service : registry_.all()) {
    if (!service.url) {
      continue;
    }
    while (queue_new_events(service)) {
    }
    // Send until the queue is empty or the head must wait.
    const auto now = options_.now_ms();
    std::optional<std::int64_t> next;
    while ((next = send_next(service)) && *next <= now) {
      if (sleep_.stopping()) {
        return due;
      }
    }
    if (next) {
      due = due ? std::min(*due, *next) : *next;
    }
  }
  return due;
}

void TransactionWorker::start() {
  const bool any = std::any_of(registry_.all().begin(), registry_.all().end(), [](const auto& r) { return r.url; });
  if (any) {
    thread_ = std::thread([this] { run(); });
  }
}

void TransactionWorker::stop() {
  sleep_.stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void TransactionWorker::run() {
  while (true) {
    const auto generation = sleep_.generation();
    std::optional<std::int64_t> next;
    try {
      next = run_once();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ranvier: appservice: %s\n", e.what());
      next = options_.now_ms() + options_.min_backoff.count();
    }
    const auto wait_ms = next ? std::clamp<std::int64_t>(*next - options_.now_ms(), 1, 60'000) : 60'000;
    if (!sleep_.sleep(generation, std::chrono::milliseconds(wait_ms))) {
      return;
    }
  }
}

}  // namespace ranvier::appservice
