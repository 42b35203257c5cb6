// The "Romeo and Juliet" workload (/work/shared/bench/README.md) as a lean C++ load generator:
// the same rules as romeo_juliet.py (every spoken line one PUT /send by its speaker, one at a
// time; users created on first use with register, login, display name and join, the first
// creating the public room) and the same --verify, with a client whose own cost per request is
// a few microseconds instead of the Python client's ~0.4 ms. romeo_juliet.py --load-generator
// runs it against the server it started and adds the server-side figures.
//
// Usage: romeo_juliet_load --server http://127.0.0.1:8008 [--text FILE] [--suffix S] [--verify]
//        [--wait-before-verify]

#include "load_http.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace ranvier::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view default_text = RANVIER_SHARED_DIR "/bench/romeo_and_juliet.txt";
constexpr std::size_t expected_sends = 3287;
constexpr std::size_t expected_speakers = 58;
constexpr std::string_view password = "romeo-and-juliet-benchmark";

struct Line {
  std::string speaker;
  std::string text;
};

std::string strip(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t\r\n\f\v");
  return std::string(s.substr(first, last - first + 1));
}

/// The workload's rules (romeo_juliet.py parse_play): an indented line is said by the current
/// speaker; a line starting with ACT by ACTS; a blank line makes the stage direction the
/// speaker; any other line names the next speaker and the line after it is skipped.
std::vector<Line> parse_play(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  std::vector<Line> spoken;
  std::string speaker = "STAGE DIRECTION";
  for (std::size_t index = 0; index < lines.size();) {
    const std::string& line = lines[index++];
    if (strip(line).empty()) {
      speaker = "STAGE DIRECTION";
    } else if (line.starts_with(' ')) {
      spoken.push_back({speaker, strip(line)});
    } else if (line.starts_with("ACT")) {
      spoken.push_back({"ACTS", strip(line)});
    } else {
      speaker = strip(line);
      ++index;
    }
  }
  return spoken;
}

/// One distinct localpart per speaker (romeo_juliet.py usernames): lower case, characters a
/// localpart may not hold become '_', a clash gets a counter.
std::map<std::string, std::string> usernames(const std::vector<Line>& spoken, const std::string& suffix) {
  std::map<std::string, std::string> names;
  std::set<std::string> taken;
  for (const auto& [speaker, text] : spoken) {
    if (names.contains(speaker)) {
      continue;
    }
    std::string base;
    for (const unsigned char c : speaker) {
      // Python's str.lower() then the localpart class [a-z0-9._=\-/+]; the play is ASCII.
      const char l = static_cast<char>(std::tolower(c));
      const bool allowed = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_' || l == '=' ||
                           l == '-' || l == '/' || l == '+';
      base += allowed ? l : '_';
    }
    base += suffix;
    std::string name = base;
    for (int counter = 2; taken.contains(name); ++counter) {
      name = base + "_" + std::to_string(counter);
    }
    taken.insert(name);
    names[speaker] = name;
  }
  return names;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

class Play {
 public:
  Play(std::string url, std::vector<Line> spoken, const std::string& suffix)
      : url_(std::move(url)), spoken_(std::move(spoken)), names_(usernames(spoken_, suffix)),
        alias_("romeo_and_juliet" + suffix) {}

  /// Plays the whole text; returns the wall time in seconds.
  double run() {
    const auto started = Clock::now();
    for (std::size_t number = 1; number <= spoken_.size(); ++number) {
      const auto& [speaker, text] = spoken_[number - 1];
      Matrix& client = user(speaker);
      const std::string path = "/rooms/" + quote(room_id_) + "/send/m.room.message/" + std::to_string(number);
      const nlohmann::json content{{"msgtype", "m.text"}, {"body", text}};
      const auto before = Clock::now();
      auto response = client.call("PUT", path, &content);
      send_seconds_.push_back(seconds_since(before));
      event_ids_.push_back(response.at("event_id").get<std::string>());
    }
    return seconds_since(started);
  }

  /// Reads the room forwards with /messages; the differences from the text.
  std::vector<std::string> verify() {
    Matrix& reader = *users_.begin()->second;
    struct Found {
      std::string sender, body, event_id;
    };
    std::vector<Found> found;
    std::string token;
    while (true) {
      std::string query = "dir=f&limit=1000";
      if (!token.empty()) {
        query += "&from=" + quote(token);
      }
      auto page = reader.call("GET", "/rooms/" + quote(room_id_) + "/messages?" + query);
      const auto chunk = page.value("chunk", nlohmann::json::array());
      for (const auto& event : chunk) {
        if (event.value("type", "") == "m.room.message" && !event.contains("state_key")) {
          const auto content = event.value("content", nlohmann::json::object());
          found.push_back({event.value("sender", ""), content.value("body", ""), event.value("event_id", "")});
        }
      }
      token = page.value("end", "");
      if (chunk.empty() || token.empty()) {
        break;
      }
    }
    std::vector<std::string> problems;
    if (found.size() != spoken_.size()) {
      problems.push_back(std::to_string(found.size()) + " messages in the room, " + std::to_string(spoken_.size()) +
                         " sent");
    }
    for (std::size_t i = 0; i < std::min(found.size(), spoken_.size()); ++i) {
      const auto& want_sender = users_.at(spoken_[i].speaker)->user_id();
      if (found[i].sender != want_sender || found[i].body != spoken_[i].text || found[i].event_id != event_ids_[i]) {
        problems.push_back("message " + std::to_string(i + 1) + ": got " + found[i].sender + " '" + found[i].body +
                           "' " + found[i].event_id + ", sent " + want_sender + " '" + spoken_[i].text + "' " +
                           event_ids_[i]);
        if (problems.size() > 10) {
          break;
        }
      }
    }
    return problems;
  }

  const std::string& room_id() const { return room_id_; }
  std::size_t user_count() const { return users_.size(); }
  double setup_seconds() const { return setup_seconds_; }
  const std::vector<double>& send_seconds() const { return send_seconds_; }

 private:
  /// The speaker's logged-in client, created and joined on first use.
  Matrix& user(const std::string& speaker) {
    if (auto it = users_.find(speaker); it != users_.end()) {
      return *it->second;
    }
    const auto started = Clock::now();
    auto client = std::make_unique<Matrix>(url_);
    client->register_and_login(names_.at(speaker), std::string(password));
    const nlohmann::json displayname{{"displayname", speaker}};
    client->call("PUT", "/profile/" + quote(client->user_id()) + "/displayname", &displayname);
    if (room_id_.empty()) {
      const nlohmann::json create{{"preset", "public_chat"}, {"room_alias_name", alias_}, {"name", "Romeo and Juliet"}};
      room_id_ = client->call("POST", "/createRoom", &create).at("room_id").get<std::string>();
    } else {
      const nlohmann::json empty = nlohmann::json::object();
      client->call("POST", "/join/" + quote(room_id_), &empty);
    }
    auto& joined = *(users_[speaker] = std::move(client));
    setup_seconds_ += seconds_since(started);
    return joined;
  }

  std::string url_;
  std::vector<Line> spoken_;
  std::map<std::string, std::string> names_;
  std::string alias_;
  std::map<std::string, std::unique_ptr<Matrix>> users_;
  std::string room_id_;
  double setup_seconds_ = 0;
  std::vector<double> send_seconds_;
  std::vector<std::string> event_ids_;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: romeo_juliet_load --server http://HOST:PORT [--text FILE] [--suffix S] [--verify] "
               "[--wait-before-verify]\n",
               why);
  return 2;
}

int main_(int argc, char** argv) {
  std::string server;
  std::string text_path(default_text);
  std::optional<std::string> suffix;
  bool verify = false;
  bool wait_before_verify = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        throw std::invalid_argument(std::string(arg) + " needs a value");
      }
      return argv[++i];
    };
    if (arg == "--server") {
      server = value();
    } else if (arg == "--text") {
      text_path = value();
    } else if (arg == "--suffix") {
      suffix = value();
    } else if (arg == "--verify") {
      verify = true;
    } else if (arg == "--wait-before-verify") {
      wait_before_verify = true;
    } else {
      return usage(("unknown argument " + std::string(arg)).c_str());
    }
  }
  if (server.empty()) {
    return usage("--server is required");
  }
  std::ifstream file(text_path, std::ios::binary);
  if (!file) {
    return usage(("cannot read " + text_path).c_str());
  }
  std::stringstream content;
  content << file.rdbuf();
  auto spoken = parse_play(content.str());
  std::set<std::string> speakers;
  for (const auto& line : spoken) {
    speakers.insert(line.speaker);
  }
  std::printf("parsed %zu sends from %zu speakers\n", spoken.size(), speakers.size());
  const bool the_play = std::filesystem::path(text_path).filename() == "romeo_and_juliet.txt";
  if (the_play && (spoken.size() != expected_sends || speakers.size() != expected_speakers)) {
    std::fprintf(stderr, "expected %zu sends from %zu speakers\n", expected_sends, expected_speakers);
    return 1;
  }
  // Without a suffix a second run against the same server would find the users taken.
  const std::string name_suffix =
      suffix ? *suffix
             : "_" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
  Play play(server, std::move(spoken), name_suffix);
  const double wall = play.run();
  auto latencies = play.send_seconds();
  std::sort(latencies.begin(), latencies.end());
  double send_total = 0;
  for (const double s : latencies) {
    send_total += s;
  }
  std::printf("room %s, %zu users, %zu sends\n", play.room_id().c_str(), play.user_count(), latencies.size());
  std::printf("total wall time: %.3f s (user setup %.3f s: register + login + display name + join/create, %zu users)\n",
              wall, play.setup_seconds(), play.user_count());
  std::printf("send phase: %.3f s, %.0f sends/s\n", send_total, static_cast<double>(latencies.size()) / send_total);
  std::printf("per-send latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(latencies, 0.5) * 1000,
              percentile(latencies, 0.99) * 1000, latencies.back() * 1000);
  std::printf("workload done\n");
  std::fflush(stdout);
  if (!verify) {
    return 0;
  }
  if (wait_before_verify) {
    // The caller reads the server's RSS first: /messages?limit=1000 leaves memory resident.
    std::string ignored;
    std::getline(std::cin, ignored);
  }
  const auto problems = play.verify();
  if (!problems.empty()) {
    std::printf("verify FAILED:\n");
    for (const auto& p : problems) {
      std::printf("  %s\n", p.c_str());
    }
    return 1;
  }
  std::printf("verify: all %zu lines in the room, in order, from the right senders\n", latencies.size());
  return 0;
}

}  // namespace
}  // namespace ranvier::bench

int main(int argc, char** argv) {
  try {
    return ranvier::bench::main_(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
