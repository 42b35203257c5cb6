#include "push/delivery.hpp"

#include "rooms/state_content.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace ranvier::push {
namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The `set_tweak` actions as the tweaks object the gateway expects.
nlohmann::json tweaks_of(const nlohmann::json& actions) {
  auto tweaks = nlohmann::json::object();
  if (!actions.is_array()) {
    return tweaks;
  }
  for (const auto& action : actions) {
    if (action.is_object() && action.contains("set_tweak") && action["set_tweak"].is_string()) {
      tweaks[action["set_tweak"].get<std::string>()] = action.value("value", nlohmann::json(true));
    }
  }
  return tweaks;
}

/// Rooms of the user with unread notifications: the badge number Synapse sends by default.
std::int64_t unread_rooms(storage::ReadTx& tx, const std::string& user_id) {
  std::vector<std::string> rooms;
  for (const auto& member : tx.rooms().rooms_for_user(user_id, storage::Membership::join)) {
    rooms.push_back(member.room_id);
  }
  std::set<std::string> unread;
  for (const auto& count : tx.notifications().unread_counts(user_id, rooms)) {
    unread.insert(count.room_id);
  }
  return static_cast<std::int64_t>(unread.size());
}

/// The pusher's `data.url` ("" when missing).
std::string gateway_url(const storage::Pusher& pusher) {
  const auto data = nlohmann::json::parse(pusher.data, nullptr, false);
  return data.is_object() ? data.value("url", "") : "";
}

std::set<std::string> rejected_pushkeys(const std::string& body) {
  std::set<std::string> rejected;
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("rejected") && json["rejected"].is_array()) {
    for (const auto& key : json["rejected"]) {
      if (key.is_string()) {
        rejected.insert(key.get<std::string>());
      }
    }
  }
  return rejected;
}

}  // namespace

nlohmann::json notify_body(storage::ReadTx& tx, const storage::QueuedPush& queued) {
  const auto& pusher = queued.pusher;
  auto data = nlohmann::json::parse(pusher.data, nullptr, false);
  if (!data.is_object()) {
    data = nlohmann::json::object();
  }
  const bool id_only = data.value("format", "") == "event_id_only";
  data.erase("url");
  const auto actions = nlohmann::json::parse(queued.actions, nullptr, false);
  auto tweaks = tweaks_of(actions);
  nlohmann::json device = {{"app_id", pusher.app_id},
                           {"pushkey", pusher.pushkey},
                           {"pushkey_ts", pusher.created_ts / 1000},
                           {"data", data},
                           {"tweaks", tweaks}};
  nlohmann::json notification = {{"event_id", queued.event_id},
                                  {"room_id", queued.room_id},
                                  {"counts", {{"unread", unread_rooms(tx, pusher.user_id)}}},
                                  {"devices", nlohmann::json::array({device})}};
  const auto event = tx.events().get(queued.event_id);
  auto json = event ? nlohmann::json::parse(event->json, nullptr, false) : nlohmann::json();
  const std::string type = json.is_object() ? json.value("type", "") : "";
  const bool urgent = type == "m.room.encrypted" || tweaks.value("highlight", false) == true || tweaks.contains("sound");
  notification["prio"] = urgent ? "high" : "low";
  if (!id_only && json.is_object()) {
    const std::string sender = json.value("sender", "");
    notification["type"] = type;
    notification["sender"] = sender;
    if (json.contains("content")) {
      notification["content"] = json["content"];
    }
    if (auto member = tx.rooms().current_state_event(queued.room_id, {"m.room.member", sender})) {
      if (auto name = rooms::event_content_string(tx, *member, "displayname")) {
        notification["sender_display_name"] = *name;
      }
    }
    if (auto name = rooms::current_state_string(tx, queued.room_id, "m.room.name", "name")) {
      notification["room_name"] = *name;
    }
    if (json.contains("state_key") && json["state_key"].is_string()) {
      notification["user_is_target"] = json["state_key"] == pusher.user_id;
    }
  }
  return {{"notification", notification}};
}

PushDelivery::PushDelivery(storage::Database& database, GatewayTransport transport, rooms::Notifier& notifier,
                           DeliveryOptions options)
    : db_(database), transport_(std::move(transport)), options_(std::move(options)), sleep_(notifier, rooms::WorkQueue::push) {
  if (!options_.now_ms) {
    options_.now_ms = system_now_ms;
  }
}

PushDelivery::~PushDelivery() { stop(); }

void PushDelivery::start() { thread_ = std::thread([this] { run(); }); }

void PushDelivery::stop() {
  sleep_.stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}


bool PushDelivery::deliver(const storage::QueuedPush& queued, const nlohmann::json& body, bool skip) {
  const auto url = gateway_url(queued.pusher);
  const auto outcome = skip ? GatewayOutcome{0, ""} : transport_(url, body.dump());
  const bool delivered = outcome.status >= 200 && outcome.status < 300;
  // A client error other than rate limiting will not get better by asking again.
  const bool hopeless = outcome.status >= 400 && outcome.status < 500 && outcome.status != 429;
  db_.write([&](storage::WriteTx& tx) {
    if (delivered || hopeless || queued.attempts + 1 >= options_.max_attempts) {
      tx.pushers().finish(queued.queue_id);
    } else {
      const auto factor = std::int64_t{1} << std::min<std::int64_t>(queued.attempts, 30);
      const auto delay = std::min<std::int64_t>(options_.min_backoff.count() * factor, options_.max_backoff.count());
      tx.pushers().retry(queued.queue_id, options_.now_ms() + delay);
    }
    if (delivered) {
      // The gateway no longer knows these pushkeys: their pushers go.
      for (const auto& key : rejected_pushkeys(outcome.body)) {
        tx.pushers().remove(queued.pusher.user_id, queued.pusher.app_id, key);
      }
    }
  });
  if (!delivered && !skip) {
    std::fprintf(stderr, "ranvier: push: %s answered %d for %s (attempt %lld)\n", url.c_str(), outcome.status,
                 queued.event_id.c_str(), static_cast<long long>(queued.attempts + 1));
  }
  return delivered || hopeless;
}

std::size_t PushDelivery::deliver_due() {
  const auto due = db_.read([&](storage::ReadTx& tx) {
    std::vector<std::pair<storage::QueuedPush, nlohmann::json>> work;
    for (auto& queued : tx.pushers().due(options_.now_ms(), options_.batch)) {
      auto body = notify_body(tx, queued);
      work.emplace_back(std::move(queued), std::move(body));
    }
    return work;
  });
  std::set<std::string> failing;
  for (const auto& [queued, body] : due) {
    if (sleep_.stopping()) {
      break;
    }
    const auto url = gateway_url(queued.pusher);
    if (!deliver(queued, body, failing.contains(url))) {
      failing.insert(url);
    }
  }
  return due.size();
}

void PushDelivery::run() {
  while (true) {
    const auto generation = sleep_.generation();
    std::optional<std::int64_t> next;
    try {
      while (deliver_due() == options_.batch) {
      }
      next = db_.read([](storage::ReadTx& tx) { return tx.pushers().next_due(); });
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ranvier: push: %s\n", e.what());
      next = options_.now_ms() + options_.min_backoff.count();
    }
    const auto wait_ms = next ? std::clamp<std::int64_t>(*next - options_.now_ms(), 1, 60'000) : 60'000;
    if (!sleep_.sleep(generation, std::chrono::milliseconds(wait_ms))) {
      return;
    }
  }
}

}  // namespace ranvier::push
