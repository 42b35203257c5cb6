#include "core/state_res/testing/room_generator.hpp"

#include "core/auth/auth_events.hpp"
#include "core/auth/event_auth.hpp"
#include "core/auth/event_view.hpp"

namespace ranvier::state_res::testing {
namespace {

using nlohmann::json;

std::string user(std::uint32_t i) { return "@u" + std::to_string(i) + ":s" + std::to_string(i % 3) + ".org"; }

struct Branch {
  StateMap state;
  std::vector<std::string> tips;
  std::int64_t depth = 0;
};

class Generator {
 public:
  Generator(const core::RoomVersion& v, Chooser& chooser, const GeneratorLimits& limits, GeneratedRoom& room)
      : v_(v), choose_(chooser), limits_(limits), room_(room) {}

  void run() {
    room_.version = &v_;
    Branch first;
    bootstrap(first);
    branches_.push_back(std::move(first));
    for (std::uint32_t i = 0; i < limits_.events && !choose_.exhausted(); ++i) {
      step();
    }
    for (auto& branch : branches_) {
      room_.states.push_back(branch.state);
    }
  }

 private:
  std::string_view membership(const Branch& b, const std::string& u) const {
    auto it = b.state.find({"m.room.member", u});
    if (it == b.state.end()) {
      return "leave";
    }
    return auth::string_member(auth::EventView(*room_.store.fetch(it->second)).content(), "membership")
        .value_or("leave");
  }

  std::string next_id(const std::string& sender) {
    std::string id = "$" + std::to_string(counter_);
    if (v_.event_format == core::EventFormat::v1) {
      id += ":" + std::string(auth::server_of(sender));
    }
    return id;
  }

  json references(const std::vector<std::string>& ids) const {
    json list = json::array();
    for (const auto& id : ids) {
      if (v_.event_format == core::EventFormat::v1) {
        list.push_back(json::array({id, {{"sha256", "unused"}}}));
      } else {
        list.push_back(id);
      }
    }
    return list;
  }

  // Builds the event on branch `b`, keeps it if it passes auth against the branch state.
  bool emit(Branch& b, const std::string& type, const std::string& sender, const std::string& state_key,
            json content) {
    ++counter_;
    json event = {{"type", type},       {"sender", sender},       {"state_key", state_key},
                  {"content", content}, {"event_id", next_id(sender)}, {"depth", b.depth + 1},
                  {"origin_server_ts", static_cast<std::int64_t>(counter_ / 2 + choose_.next(3))}};
    if (type == "m.room.create") {
      event["prev_events"] = json::array();
      event["auth_events"] = json::array();
      if (v_.room_id_is_create_hash) {
        room_id_ = "!" + event["event_id"].get<std::string>().substr(1);
      } else {
        event["room_id"] = room_id_;
      }
    } else {
      event["room_id"] = room_id_;
      event["prev_events"] = references(b.tips);
      StateMapAuthState state(b.state, room_.store);
      std::vector<std::string> auth_ids = auth::select_auth_events(v_, event, state);
      event["auth_events"] = references(auth_ids);
      if (!auth::check_against_state(v_, event, state, {}).allowed) {
        return false;
      }
    }
    std::string id = event["event_id"];
    room_.store.add(std::move(event));
    room_.event_ids.push_back(id);
    b.state[{type, state_key}] = id;
    b.tips = {id};
    ++b.depth;
    return true;
  }

  json power_levels_content(const Branch& b) const {
    auto it = b.state.find({"m.room.power_levels", ""});
    if (it == b.state.end()) {
      return json::object();
    }
    return auth::EventView(*room_.store.fetch(it->second)).content();
  }

  void bootstrap(Branch& b) {
    std::string creator = user(0);
    room_id_ = "!room:" + std::string(auth::server_of(creator));
    json create_content = {{"room_version", std::string(v_.id)}};
    if (!v_.implicit_room_creator) {
      create_content["creator"] = creator;
    }
    emit(b, "m.room.create", creator, "", create_content);
    emit(b, "m.room.member", creator, creator, {{"membership", "join"}});
    json users = json::object();
    if (!v_.privileged_creators) {
      users[creator] = 100;
    }
    emit(b, "m.room.power_levels", creator, "", {{"users", users}});
    emit(b, "m.room.join_rules", creator, "", {{"join_rule", "public"}});
  }

  void step() {
    std::uint32_t which = choose_.next(static_cast<std::uint32_t>(branches_.size()));
    Branch& b = branches_[which];
    std::string actor = user(choose_.next(limits_.users));
    std::string target = user(choose_.next(limits_.users));
    static constexpr std::uint32_t levels[] = {0, 10, 50, 75, 100};
    switch (choose_.next(11)) {
      case 0:
      case 1:
        emit(b, "m.room.member", actor, actor, {{"membership", "join"}});
        break;
      case 2:
        emit(b, "m.room.member", actor, target, {{"membership", "invite"}});
        break;
      case 3:
        emit(b, "m.room.member", actor, target, {{"membership", choose_.next(2) ? "ban" : "leave"}});
        break;
      case 4: {
        json content = power_levels_content(b);
        if (!v_.privileged_creators || target != user(0)) {
          content["users"][target] = levels[choose_.next(5)];
        }
        if (choose_.next(4) == 0) {
          content[choose_.next(2) ? "kick" : "state_default"] = levels[choose_.next(5)];
        }
        emit(b, "m.room.power_levels", actor, "", content);
        break;
      }
      case 5:
        emit(b, "m.room.join_rules", actor, "", {{"join_rule", choose_.next(2) ? "public" : "invite"}});
        break;
      case 6:
      case 7:
        emit(b, "m.room.topic", actor, "", {{"topic", "t" + std::to_string(counter_)}});
        break;
      case 8:
        if (membership(b, actor) == "join") {
          emit(b, "m.room.member", actor, actor, {{"membership", "leave"}});
        }
        break;
      case 9:
        if (branches_.size() < limits_.max_branches) {
          branches_.push_back(b);
        }
        break;
      default:
        merge(which);
        break;
    }
  }

  // Joins a branch with another: resolve both states; the next event cites both tips.
  void merge(std::uint32_t which) {
    if (!limits_.merges || branches_.size() < 2) {
      return;
    }
    std::uint32_t other = choose_.next(static_cast<std::uint32_t>(branches_.size()));
    if (other == which) {
      return;
    }
    Branch& a = branches_[which];
    Branch& b = branches_[other];
    std::vector<StateMap> both{a.state, b.state};
    a.state = resolve(v_, both, room_.store, {});
    for (const auto& tip : b.tips) {
      a.tips.push_back(tip);
    }
    a.depth = std::max(a.depth, b.depth);
    branches_.erase(branches_.begin() + other);
  }

  const core::RoomVersion& v_;
  Chooser& choose_;
  const GeneratorLimits& limits_;
  GeneratedRoom& room_;
  std::vector<Branch> branches_;
  std::string room_id_;
  std::uint64_t counter_ = 0;
};

}  // namespace

std::uint32_t SeededChooser::next(std::uint32_t bound) {
  state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<std::uint32_t>((state_ >> 33) % bound);
}

std::uint32_t ByteChooser::next(std::uint32_t bound) {
  if (position_ >= bytes_.size()) {
    return 0;
  }
  return bytes_[position_++] % bound;
}

std::set<std::string> events_and_auth_chains(const std::vector<StateMap>& states, const auth::EventStore& store) {
  std::set<std::string> out;
  std::vector<std::string> stack;
  for (const auto& state : states) {
    for (const auto& [key, id] : state) {
      stack.push_back(id);
    }
  }
  while (!stack.empty()) {
    std::string id = stack.back();
    stack.pop_back();
    if (!out.insert(id).second) {
      continue;
    }
    if (const auto* pdu = store.fetch(id)) {
      for (auto auth : auth::EventView(*pdu).auth_event_ids()) {
        stack.emplace_back(auth);
      }
    }
  }
  return out;
}

GeneratedRoom generate_room(const core::RoomVersion& version, Chooser& chooser, const GeneratorLimits& limits) {
  GeneratedRoom room;
  Generator(version, chooser, limits, room).run();
  return room;
}

}  // namespace ranvier::state_res::testing
