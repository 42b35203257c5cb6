#include "rooms/notification_counts.hpp"

#include "push/evaluate.hpp"
#include "push/ruleset.hpp"
#include "rooms/notifier.hpp"
#include "rooms/state_content.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ranvier::rooms {
namespace {

/// Bounded maps shared by every transaction: cleared when full, since every entry is cheap to
/// rebuild and an LRU would cost more per lookup than it saves.
constexpr std::size_t max_cached = 100'000;

/// Parsed rulesets by user, tagged with the stream position of the account data they came
/// from (-1: the defaults), so a changed ruleset is noticed by the next event.
class RulesCache {
 public:
  std::shared_ptr<const push::Ruleset> get(storage::ReadTx& tx, const std::string& user_id,
                                           std::optional<std::int64_t> stream) {
    const std::int64_t tag = stream.value_or(-1);
    {
      std::lock_guard lock(mutex_);
      if (auto it = entries_.find(user_id); it != entries_.end() && it->second.tag == tag) {
        return it->second.rules;
      }
    }
    auto rules = std::make_shared<const push::Ruleset>(load(tx, user_id, stream.has_value()));
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_cached) {
      entries_.clear();
    }
    entries_[user_id] = Entry{tag, rules};
    return rules;
  }

 private:
  static push::Ruleset load(storage::ReadTx& tx, const std::string& user_id, bool stored) {
    if (stored) {
      if (auto text = tx.account_data().get(user_id, "", "m.push_rules")) {
        auto json = nlohmann::json::parse(*text, nullptr, false);
        if (!json.is_discarded()) {
          if (auto parsed = push::Ruleset::from_json(user_id, json)) {
            return std::move(*parsed);
          }
        }
      }
    }
    return push::Ruleset::defaults_for(user_id);
  }

  struct Entry {
    std::int64_t tag;
    std::shared_ptr<const push::Ruleset> rules;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

/// Display names by member event ID: an event never changes, so neither does its name.
class DisplayNames {
 public:
  /// Fills `names` (parallel to `event_ids`), reading the events not cached in one query.
  void lookup(storage::ReadTx& tx, const std::vector<std::string>& event_ids, std::vector<std::string>& names) {
    names.assign(event_ids.size(), {});
    std::vector<std::string> missing;
    {
      std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < event_ids.size(); ++i) {
        if (auto it = names_.find(event_ids[i]); it != names_.end()) {
          names[i] = it->second;
        } else {
          missing.push_back(event_ids[i]);
        }
      }
    }
    if (missing.empty()) {
      return;
    }
    std::unordered_map<std::string, std::string> found;
    for (const auto& event : tx.events().get_many(missing)) {
      auto json = nlohmann::json::parse(event.json, nullptr, false);
      std::string name;
      if (!json.is_discarded() && json.contains("content") && json["content"].is_object()) {
        const auto& content = json["content"];
        if (auto it = content.find("displayname"); it != content.end() && it->is_string()) {
          name = it->get<std::string>();
        }
      }
      found.emplace(event.event_id, std::move(name));
    }
    std::lock_guard lock(mutex_);
    if (names_.size() + found.size() >= max_cached) {
      names_.clear();
    }
    for (std::size_t i = 0; i < event_ids.size(); ++i) {
      if (auto it = found.find(event_ids[i]); it != found.end()) {
        names[i] = it->second;
      }
    }
    names_.merge(found);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> names_;
};

RulesCache& rules_cache() {
  static RulesCache cache;
  return cache;
}

DisplayNames& display_names() {
  static DisplayNames names;
  return names;
}

/// A user ID no event can concern, for the evaluation shared by users on the default rules.
constexpr std::string_view nobody = "@\x01:invalid";

/// The users an event singles out, for whom the default rules can decide differently than
/// for everyone else: those in `content.m.mentions.user_ids` (`.m.rule.is_user_mention`) and
/// the state key (`.m.rule.invite_for_me`).
std::unordered_set<std::string_view> users_named_by(const nlohmann::json& event) {
  std::unordered_set<std::string_view> named;
  if (auto key = event.find("state_key"); key != event.end() && key->is_string()) {
    named.insert(key->get_ref<const std::string&>());
  }
  auto content = event.find("content");
  if (content == event.end() || !content->is_object()) {
    return named;
  }
  auto mentions = content->find("m.mentions");
  if (mentions == content->end() || !mentions->is_object()) {
    return named;
  }
  auto ids = mentions->find("user_ids");
  if (ids != mentions->end() && ids->is_array()) {
    for (const auto& id : *ids) {
      if (id.is_string()) {
        named.insert(id.get_ref<const std::string&>());
      }
    }
  }
  return named;
}

/// The push action `rules` ask for, or nullopt when they do not notify (user_id left empty).
std::optional<storage::PushAction> outcome(const push::Ruleset& rules, const nlohmann::json& event,
                                          const push::PushContext& context) {
  const auto match = push::evaluate(rules, event, context);
  if (!match || !match->actions().notify) {
    return std::nullopt;
  }
  return storage::PushAction{.user_id = {}, .highlight = match->actions().highlight, .actions = match->rule->actions.dump()};
}

/// The distinct servers of these users, in byte order.
std::vector<std::string> servers_of(const std::vector<storage::PushRecipient>& users) {
  std::set<std::string_view> servers;
  for (const auto& user : users) {
    if (const auto colon = user.user_id.find(':'); colon != std::string::npos) {
      servers.insert(std::string_view(user.user_id).substr(colon + 1));
    }
  }
  return {servers.begin(), servers.end()};
}

bool is_local(std::string_view user_id, std::string_view server_name) {
  return user_id.size() > server_name.size() + 1 && user_id.ends_with(server_name) &&
         user_id[user_id.size() - server_name.size() - 1] == ':';
}

}  // namespace

std::string thread_of(const nlohmann::json& event) {
  const auto content = event.find("content");
  if (content == event.end() || !content->is_object()) {
    return "main";
  }
  const auto relates = content->find("m.relates_to");
  if (relates == content->end() || !relates->is_object()) {
    return "main";
  }
  const auto rel_type = relates->find("rel_type");
  const auto target = relates->find("event_id");
  if (rel_type != relates->end() && *rel_type == "m.thread" && target != relates->end() && target->is_string()) {
    return target->get<std::string>();
  }
  return "main";
}

void count_notifications(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                         std::string_view server_name, const std::string& room_id, const nlohmann::json& pdu,
                         const std::string& event_id, std::int64_t stream,
                         std::optional<std::vector<std::string>>* joined_servers) {
  const auto sender_it = pdu.find("sender");
  if (sender_it == pdu.end() || !sender_it->is_string()) {
    return;
  }
  const auto& sender = sender_it->get_ref<const std::string&>();
  const auto recipients = tx.notifications().recipients(room_id);
  if (joined_servers != nullptr) {
    *joined_servers = servers_of(recipients);
  }
  std::vector<const storage::PushRecipient*> local;
  std::vector<const storage::PushRecipient*> customised;
  for (const auto& recipient : recipients) {
    if (recipient.user_id != sender && is_local(recipient.user_id, server_name)) {
      local.push_back(&recipient);
      if (recipient.rules_stream) {
        customised.push_back(&recipient);
      }
    }
  }
  if (local.empty()) {
    return;
  }
  // Only users' own rules can ask for display names (the defaults no longer do).
  std::vector<std::string> member_events;
  for (const auto* recipient : customised) {
    member_events.push_back(recipient->member_event_id);
  }
  std::vector<std::string> names;
  display_names().lookup(tx, member_events, names);
  std::unordered_map<std::string_view, std::string_view> name_of;
  for (std::size_t i = 0; i < customised.size(); ++i) {
    name_of.emplace(customised[i]->user_id, names[i]);
  }

  push::PushContext context;
  context.member_count = static_cast<std::int64_t>(recipients.size());
  const auto power = current_power_levels(tx, events, room_id, version);
  if (power) {
    context.sender_power_level = power->user_level(sender);
    if (const auto* content = power->content(); content != nullptr && content->contains("notifications")) {
      context.notification_levels = &(*content)["notifications"];
    }
  }

  // Users on the server defaults get one shared evaluation unless the event names them.
  const auto personal = users_named_by(pdu);
  std::optional<std::optional<storage::PushAction>> shared;
  if (!personal.contains(nobody)) {
    shared.emplace(outcome(*rules_cache().get(tx, std::string(nobody), std::nullopt), pdu, context));
  }

  std::vector<storage::PushAction> actions;
  for (const auto* recipient : local) {
    std::optional<storage::PushAction> action;
    if (shared && !recipient->rules_stream && !personal.contains(recipient->user_id)) {
      action = *shared;
    } else {
      auto name = name_of.find(recipient->user_id);
      context.display_name = name == name_of.end() ? std::string_view() : name->second;
      action = outcome(*rules_cache().get(tx, recipient->user_id, recipient->rules_stream), pdu, context);
    }
    if (action) {
      action->user_id = recipient->user_id;
      action->ordinal = recipient->ordinal;
      actions.push_back(std::move(*action));
    }
  }
  tx.notifications().add(
      storage::PushedEvent{.room_id = room_id,
                           .event_id = event_id,
                           .thread_id = thread_of(pdu),
                           .stream = stream,
                           .ts = pdu.value("origin_server_ts", std::int64_t{0})},
      actions);
  // Their push gateways hear of it from the delivery worker, after this transaction commits.
  std::vector<std::string> notified;
  notified.reserve(actions.size());
  for (const auto& action : actions) {
    notified.push_back(action.user_id);
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (tx.pushers().enqueue(stream, notified, now) > 0) {
    Notifier::mark_queued(WorkQueue::push);
  }
}

}  // namespace ranvier::rooms
