// Sync wake-up latency (the rules of sync_latency.py) with the lean C++ client: user B
// long-polls /sync?since=…&timeout=30000 on its own thread and connection; user A sends N
// messages, each --park-ms after B's next sync request was written and the next only after B
// has the previous. Latency runs from just before A writes the send to B having read the sync
// response that carries it. Without Python's interpreter lock between the two users, the
// figure is closer to what the server itself adds. sync_latency.py --load-generator runs it
// against the server it started.
//
// Usage: sync_latency_load --server http://127.0.0.1:8008 [-n 500] [--warmup 5] [--park-ms 20]

#include "load_http.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ranvier::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int sync_timeout_ms = 30'000;
constexpr auto give_up_after = std::chrono::milliseconds(sync_timeout_ms + 30'000);
constexpr std::string_view password = "sync-latency-benchmark";

/// B: long-polls /sync and notes when each benchmark message arrived.
class Sleeper {
 public:
  Sleeper(const std::string& url, std::string token, std::string room_id, std::string since)
      : connection_(url), token_(std::move(token)), room_id_(std::move(room_id)), since_(std::move(since)) {}

  void run() {
    try {
      while (true) {
        const std::string target =
            "/_matrix/client/v3/sync?since=" + quote(since_) + "&timeout=" + std::to_string(sync_timeout_ms);
        connection_.send("GET", target, nullptr, token_);
        {
          std::lock_guard lock(mutex_);
          parked_ = true;
        }
        changed_.notify_all();
        auto response = connection_.receive();
        const auto received = Clock::now();
        if (response.status != 200) {
          throw StatusError("GET /sync -> " + std::to_string(response.status) + " " + response.body.substr(0, 500),
                            response.status);
        }
        take(nlohmann::json::parse(response.body), received);
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.what();
    }
    changed_.notify_all();
  }

  /// Waits until B's next sync request is on the wire; false on error or timeout.
  bool wait_parked() {
    std::unique_lock lock(mutex_);
    const bool ok = changed_.wait_for(lock, give_up_after, [&] { return parked_ || !error_.empty(); });
    const bool parked = ok && parked_;
    parked_ = false;
    return parked;
  }

  /// When `body` arrived; nullopt on error or timeout.
  std::optional<Clock::time_point> wait_for(const std::string& body) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, give_up_after, [&] { return arrived_.contains(body) || !error_.empty(); });
    if (auto it = arrived_.find(body); it != arrived_.end()) {
      return it->second;
    }
    return std::nullopt;
  }

  std::string error() {
    std::lock_guard lock(mutex_);
    return error_;
  }
  int responses() const { return responses_; }
  int empty_responses() const { return empty_responses_; }

 private:
  void take(const nlohmann::json& sync, Clock::time_point received) {
    since_ = sync.at("next_batch").get<std::string>();
    std::vector<std::string> bodies;
    const auto rooms = sync.value("rooms", nlohmann::json::object());
    const auto join = rooms.value("join", nlohmann::json::object());
    if (auto room = join.find(room_id_); room != join.end()) {
      const auto timeline = room->value("timeline", nlohmann::json::object());
      for (const auto& event : timeline.value("events", nlohmann::json::array())) {
        const auto content = event.value("content", nlohmann::json::object());
        if (event.value("type", "") == "m.room.message" && content.contains("body") && content["body"].is_string()) {
          bodies.push_back(content["body"].get<std::string>());
        }
      }
    }
    std::lock_guard lock(mutex_);
    ++responses_;
    if (bodies.empty()) {
      ++empty_responses_;
      return;
    }
    for (auto& body : bodies) {
      arrived_.emplace(std::move(body), received);
    }
    changed_.notify_all();
  }

  Connection connection_;
  std::string token_;
  std::string room_id_;
  std::string since_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool parked_ = false;
  std::map<std::string, Clock::time_point> arrived_;
  std::string error_;
  int responses_ = 0;
  int empty_responses_ = 0;
};

void summary(const char* name, std::vector<double> seconds) {
  std::sort(seconds.begin(), seconds.end());
  std::printf("%s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%zu)\n", name,
              percentile(seconds, 0.5) * 1000, percentile(seconds, 0.9) * 1000, percentile(seconds, 0.99) * 1000,
              seconds.back() * 1000, seconds.size());
}

int main_(int argc, char** argv) {
  std::string server;
  int messages = 500;
  int warmup = 5;
  double park_ms = 20.0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", argv[i]);
      return 2;
    }
    if (arg == "--server") {
      server = argv[++i];
    } else if (arg == "-n" || arg == "--messages") {
      messages = std::atoi(argv[++i]);
    } else if (arg == "--warmup") {
      warmup = std::atoi(argv[++i]);
    } else if (arg == "--park-ms") {
      park_ms = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: sync_latency_load --server URL [-n 500] [--warmup 5] [--park-ms 20]\n");
      return 2;
    }
  }
  if (server.empty() || messages <= 0) {
    std::fprintf(stderr, "usage: sync_latency_load --server URL [-n 500] [--warmup 5] [--park-ms 20]\n");
    return 2;
  }
  const auto suffix = "_" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  Matrix alice(server);
  Matrix bob(server);
  alice.register_and_login("sync_sender" + suffix, std::string(password));
  bob.register_and_login("sync_sleeper" + suffix, std::string(password));
  const nlohmann::json create{{"preset", "public_chat"}};
  const auto room_id = alice.call("POST", "/createRoom", &create).at("room_id").get<std::string>();
  const nlohmann::json empty = nlohmann::json::object();
  bob.call("POST", "/join/" + quote(room_id), &empty);
  const auto since = bob.call("GET", "/sync?timeout=0").at("next_batch").get<std::string>();

  // Lives until the process ends: its last long-poll stays open.
  auto* sleeper = new Sleeper(server, bob.token(), room_id, since);
  std::thread([sleeper] { sleeper->run(); }).detach();

  std::vector<double> wake;
  std::vector<double> send;
  for (int number = 0; number < warmup + messages; ++number) {
    if (!sleeper->wait_parked()) {
      std::fprintf(stderr, "error: B never sent its sync request (%s)\n", sleeper->error().c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(park_ms));
    const std::string body = "sync latency " + suffix + " #" + std::to_string(number);
    const nlohmann::json content{{"msgtype", "m.text"}, {"body", body}};
    const auto before = Clock::now();
    alice.call("PUT", "/rooms/" + quote(room_id) + "/send/m.room.message/sync" + std::to_string(number), &content);
    const auto sent = Clock::now();
    const auto arrived = sleeper->wait_for(body);
    if (!arrived) {
      std::fprintf(stderr, "error: message #%d never reached B's /sync (%s)\n", number, sleeper->error().c_str());
      return 1;
    }
    if (number >= warmup) {
      wake.push_back(std::chrono::duration<double>(*arrived - before).count());
      send.push_back(std::chrono::duration<double>(sent - before).count());
    }
  }
  std::printf("%d messages (+%d warm-up), B parked %.1f ms before each send; %d sync responses, %d without a "
              "benchmark message\n",
              messages, warmup, park_ms, sleeper->responses(), sleeper->empty_responses());
  summary("sync wake-up (send start -> B has the event)", wake);
  summary("send request (PUT .../send)", send);
  return 0;
}

}  // namespace
}  // namespace ranvier::bench

int main(int argc, char** argv) {
  int code = 1;
  try {
    code = ranvier::bench::main_(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  }
  // B's thread is still blocked in its last long-poll: leave without unwinding it.
  std::fflush(stdout);
  std::_Exit(code);
}
