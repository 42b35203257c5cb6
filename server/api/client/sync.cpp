// GET /_matrix/client/v3/sync (client-server API, "Syncing"): initial and incremental syncs
// of joined, invited and left rooms and account data, with filters, lazy-loaded members and
// long-polling. A request with nothing new parks on the notifier (see api::LongPoll) instead of
// holding a worker thread, and is computed again when something commits.

#include "api/client/long_poll.hpp"
#include "api/client/room_access.hpp"
#include "api/client/stream_tokens.hpp"
#include "api/client/sync_e2ee.hpp"
#include "api/client/sync_unread.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "rooms/client_event.hpp"
#include "rooms/errors.hpp"
#include "rooms/event_filter.hpp"
#include "api/clock.hpp"
#include "config/config.hpp"
#include "rooms/history_visibility.hpp"
#include "rooms/invite_state.hpp"
#include "rooms/presence.hpp"
#include "rooms/typing.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t default_timeline_limit = 10;
constexpr std::size_t max_timeline_limit = 1000;
constexpr std::int64_t max_timeout_ms = 10 * 60 * 1000;
/// Synapse's batch size: a device with a long queue catches up over several syncs.
constexpr std::size_t max_to_device_per_sync = 100;

/// Everything one sync computation needs to know about the request.
struct SyncParams {
  std::string user_id;
  /// The requesting device, to whom its own events carry their transaction IDs.
  Principal viewer;
  std::optional<SyncToken> since;
  rooms::SyncFilter filter;
  bool full_state = false;
};

rooms::SyncFilter load_filter(RequestContext& ctx, const std::optional<std::string>& param) {
  if (!param) {
    return {};
  }
  std::string text = *param;
  if (!text.starts_with("{")) {
    auto stored = ctx.services.database.read(
        [&](storage::ReadTx& tx) { return tx.account_data().filter(ctx.principal->user_id, text); });
    if (!stored) {
      throw MatrixError(ErrCode::invalid_param, "No filter with ID " + text);
    }
    text = *stored;
  }
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    throw MatrixError(ErrCode::invalid_param, "filter must be a JSON object or a filter ID");
  }
  try {
    return rooms::SyncFilter::parse(json);
  } catch (const rooms::RoomError& e) {
    throw MatrixError(ErrCode::invalid_param, e.what());
  }
}

/// Builds one /sync response inside a read transaction.
class SyncBuilder {
 public:
  SyncBuilder(storage::ReadTx& tx, const SyncParams& params, const rooms::Typing& typing,
              const rooms::Presence* presence)
      : tx_(tx), p_(params), typing_(typing), presence_(presence) {
    now_ = {tx.events().max_stream(), tx.account_data().max_stream(), typing.position(), tx.receipts().max_stream(),
            params.since ? params.since->to_device : 0, presence ? presence->position() : 0};
  }

  /// The response, and whether it carries anything new.
  std::pair<nlohmann::json, bool> build() {
    if (p_.since && (p_.since->events > now_.events || p_.since->account_data > now_.account_data)) {
      throw MatrixError(ErrCode::invalid_param, "The since token is from the future");
    }
    const std::int64_t since_events = p_.since ? p_.since->events : 0;
    joined_ = tx_.rooms().rooms_for_user(p_.user_id, storage::Membership::join);
    load_receipts();
    nlohmann::json join = nlohmann::json::object(), invite = nlohmann::json::object(),
                   leave = nlohmann::json::object(), knock = nlohmann::json::object();
    for (const auto& member : joined_) {
      if (!p_.filter.room_filter.matches_room(member.room_id)) {
        continue;
      }
      auto room = joined_room(member);
      if (room) {
        join[member.room_id] = std::move(*room);
      }
    }
    add_unread_counts(tx_, p_.user_id, p_.filter.timeline.unread_thread_notifications, join);
    for (const auto& member : tx_.rooms().rooms_for_user(p_.user_id, storage::Membership::invite)) {
      if (member.stream > since_events && member.stream <= now_.events &&
          p_.filter.room_filter.matches_room(member.room_id)) {
        invite[member.room_id] = invited_room(member);
      }
    }
    for (const auto& member : tx_.rooms().rooms_for_user(p_.user_id, storage::Membership::knock)) {
      if (member.stream > since_events && member.stream <= now_.events &&
          p_.filter.room_filter.matches_room(member.room_id)) {
        knock[member.room_id] = {{"knock_state", stripped_state(member)}};
      }
    }
    for (auto kind : {storage::Membership::leave, storage::Membership::ban}) {
      for (const auto& member : tx_.rooms().rooms_for_user(p_.user_id, kind)) {
        const bool changed = p_.since && member.stream > since_events && member.stream <= now_.events;
        const bool wanted = changed || (p_.filter.include_leave && (!p_.since || p_.full_state));
        if (wanted && !member.forgotten && p_.filter.room_filter.matches_room(member.room_id)) {
          leave[member.room_id] = left_room(member);
        }
      }
    }
    auto global_data = nlohmann::json::array();
    for (const auto& entry : account_data_changes()) {
      if (entry.room_id.empty() && p_.filter.account_data.matches_type(entry.type)) {
        global_data.push_back({{"type", entry.type}, {"content", nlohmann::json::parse(entry.content)}});
      }
    }
    // To-device messages for this device after the token; the token moves to the last one
    // delivered, and the next sync from it acknowledges (deletes) them.
    auto to_device = nlohmann::json::array();
    for (const auto& message : tx_.to_device().pending(p_.user_id, p_.viewer.device_id, now_.to_device,
                                                       max_to_device_per_sync)) {
      to_device.push_back({{"sender", message.sender},
                           {"type", message.type},
                           {"content", nlohmann::json::parse(message.content)}});
      now_.to_device = message.stream;
    }
    auto presence = presence_events();
    const auto e2ee = e2ee_sync_section(tx_, p_.user_id, p_.viewer.device_id, p_.since, now_);
    const bool has_updates = !join.empty() || !invite.empty() || !leave.empty() || !knock.empty() ||
                             !global_data.empty() || !to_device.empty() || !presence.empty() || e2ee.has_updates;
    nlohmann::json response = {
        {"next_batch", now_.text()},
        {"rooms", {{"join", join}, {"invite", invite}, {"leave", leave}, {"knock", knock}}},
        {"account_data", {{"events", global_data}}},
        {"presence", {{"events", presence}}},
        {"to_device", {{"events", to_device}}}};
    e2ee.add_to(response);
    return {std::move(response), has_updates};
  }

 private:
  const std::vector<storage::AccountDataEntry>& account_data_changes() {
    if (!account_data_ && p_.since && p_.since->account_data >= now_.account_data) {
      account_data_.emplace();  // nobody's account data changed since the token
    }
    if (!account_data_) {
      account_data_ = tx_.account_data().changed_since(p_.user_id, p_.since ? p_.since->account_data : 0);
      std::erase_if(*account_data_, [&](const auto& e) { return e.stream > now_.account_data; });
    }
    return *account_data_;
  }

  const core::RoomVersion& version_of(const std::string& room_id) {
    return client_server::room_version(tx_, room_id);
  }

  std::size_t timeline_limit() const {
    return std::min(p_.filter.timeline.limit.value_or(default_timeline_limit), max_timeline_limit);
  }

  /// The state group in force at stream position `at` in a room (after its last event there).
  std::optional<std::int64_t> group_at(const std::string& room_id, std::int64_t at) {
    auto last = tx_.events().room_events(room_id, 0, at, storage::Direction::backward, 1);
    if (last.empty()) {
      return std::nullopt;
    }
    return tx_.state().event_state_group(last.front().event_id);
  }

  struct Timeline {
    std::vector<storage::StoredEvent> events;  ///< oldest first
    bool limited = false;
  };

  /// The newest timeline events with `after < stream <= up_to`, at most the filter's limit,
  /// visible to the user.
  Timeline timeline(const std::string& room_id, std::int64_t after, std::int64_t up_to,
                    rooms::HistoryVisibility& visibility) {
    const std::size_t limit = timeline_limit();
    Timeline t;
    // Walk back in batches until `limit` events pass the filter and visibility; the timeline
    // is limited when events older than the oldest one returned were left out.
    const std::size_t batch = std::max<std::size_t>(limit + 1, 50);
    std::int64_t below = up_to;
    while (t.events.size() < limit) {
      auto page = tx_.events().room_events(room_id, after, below, storage::Direction::backward, batch);
      for (auto& event : page) {
        below = event.stream - 1;
        if (t.events.size() == limit) {
          t.limited = true;
          break;
        }
        if (p_.filter.timeline.matches(event) && visibility.may_see(event)) {
          t.events.push_back(std::move(event));
        }
      }
      if (page.size() < batch || t.limited) {
        break;
      }
    }
    if (!t.limited && t.events.size() == limit && below > after) {
      t.limited = !tx_.events().room_events(room_id, after, below, storage::Direction::backward, 1).empty();
    }
    std::reverse(t.events.begin(), t.events.end());
    return t;
  }

  /// The `state` section: the state at the start of the timeline (full) or what changed between
  /// `since` and the start of the timeline (incremental), minus what the timeline shows, with
  /// members cut to the timeline's senders when lazy-loading.
  nlohmann::json state_section(const std::string& room_id, const Timeline& t, std::int64_t up_to,
                               std::optional<std::int64_t> since_events, const core::RoomVersion& version,
                               bool full_state = false) {
    if (since_events && !t.limited && !t.events.empty()) {
      return nlohmann::json::array();  // every change since the token is in the timeline
    }
    // The state just before the timeline: after the event preceding its first event.
    const std::int64_t start = t.events.empty() ? up_to : t.events.front().stream - 1;
    auto start_group = group_at(room_id, start);
    if (!start_group && !t.events.empty()) {
      // Nothing of the room before the timeline is in the stream (a room joined through another
      // server: its earlier state arrived as outliers). The first event's own state group holds
      // that state; what the event itself changed is in the timeline.
      start_group = tx_.state().event_state_group(t.events.front().event_id);
    }
    storage::StateMap state;
    if (since_events) {
      auto since_group = group_at(room_id, *since_events);
      if (start_group) {
        auto delta = since_group ? tx_.state().state_difference(*since_group, *start_group)
                                 : storage::StateDelta{};
        for (auto& [key, id] : delta) {
          if (id) {
            state.emplace(key, *id);
          }
        }
        if (!since_group) {
          state = tx_.state().state_map(*start_group);
        }
      }
    } else if (start_group && (full_state || t.limited || t.events.empty() || t.events.front().depth > 1)) {
      state = tx_.state().state_map(*start_group);
    }
    std::set<std::string> in_timeline, senders;
    for (const auto& event : t.events) {
      in_timeline.insert(event.event_id);
      senders.insert(event.sender);
    }
    senders.insert(p_.user_id);
    const auto& filter = p_.filter.state;
    std::vector<std::string> ids;
    for (const auto& [key, id] : state) {
      if (in_timeline.contains(id) || !filter.matches_type(key.type)) {
        continue;
      }
      if (filter.lazy_load_members && key.type == "m.room.member" && !senders.contains(key.state_key)) {
        continue;
      }
      ids.push_back(id);
    }
    if (filter.lazy_load_members && start_group) {
      // Senders whose member event is not in the delta still need it to be shown.
      std::vector<storage::StateKey> keys;
      for (const auto& sender : senders) {
        if (!state.contains({"m.room.member", sender})) {
          keys.push_back({"m.room.member", sender});
        }
      }
      for (const auto& [key, id] : tx_.state().state_for_keys(*start_group, keys)) {
        if (!in_timeline.contains(id) && (since_events ? false : true)) {
          ids.push_back(id);
        }
      }
    }
    auto out = nlohmann::json::array();
    for (const auto& event : tx_.events().get_many(ids)) {
      if (filter.matches(event)) {
        out.push_back(serve_event(tx_, event, version));
      }
    }
    return out;
  }

  nlohmann::json serve_timeline(const Timeline& t, const core::RoomVersion& version, const std::string& room_id,
                                std::int64_t up_to) {
    auto events = nlohmann::json::array();
    const PageServer page(tx_, version, p_.viewer, {t.events});
    for (const auto& event : t.events) {
      events.push_back(page.serve(event));
    }
    std::string prev_batch;
    if (!t.events.empty()) {
      prev_batch = TopologicalToken{t.events.front().depth, t.events.front().stream}.text();
    } else {
      prev_batch = SyncToken{up_to, now_.account_data, now_.typing, now_.receipts, now_.to_device, now_.presence}.text();
    }
    (void)room_id;
    return {{"events", events}, {"limited", t.limited}, {"prev_batch", prev_batch}};
  }

  /// m.presence of the user and everyone sharing a joined room with them: changes since the
  /// token, or (initial sync) everyone not offline.
  nlohmann::json presence_events() {
    auto events = nlohmann::json::array();
    const std::int64_t after = p_.since && !p_.full_state ? p_.since->presence : 0;
    if (presence_ == nullptr || (after > 0 && after >= now_.presence)) {
      return events;  // off, or nobody's presence changed since the token
    }
    std::set<std::string> people = {p_.user_id};
    for (const auto& room : joined_) {
      for (const auto& member : tx_.rooms().members(room.room_id, storage::Membership::join)) {
        people.insert(member.user_id);
      }
    }
    const std::vector<std::string> users(people.begin(), people.end());
    const auto now = api::now_ms();
    for (const auto& [user, state] : presence_->changed_since(users, after)) {
      if (state.position > now_.presence || (after == 0 && state.presence == "offline")) {
        continue;
      }
      if (!p_.filter.presence.matches_type("m.presence") ||
          (p_.filter.presence.senders && std::find(p_.filter.presence.senders->begin(),
                                                   p_.filter.presence.senders->end(),
                                                   user) == p_.filter.presence.senders->end())) {
        continue;
      }
      events.push_back({{"type", "m.presence"}, {"sender", user}, {"content", presence_content(state, now)}});
    }
    return events;
  }

  /// Receipts of the user's joined rooms that changed since the token, or all of them for rooms
  /// that are new to the client (sorted out per room in ephemeral_events).
  void load_receipts() {
    std::vector<std::string> fresh, known;
    for (const auto& member : joined_) {
      const bool is_fresh = !p_.since || p_.full_state || member.stream > p_.since->events;
      (is_fresh ? fresh : known).push_back(member.room_id);
    }
    auto take = [&](std::vector<storage::Receipt> receipts) {
      for (auto& receipt : receipts) {
        if (receipt.stream > now_.receipts ||
            (receipt.receipt_type == "m.read.private" && receipt.user_id != p_.user_id)) {
          continue;  // after this sync's token, or someone else's private receipt
        }
        receipts_[receipt.room_id].push_back(std::move(receipt));
      }
    };
    take(tx_.receipts().changed_since(fresh, 0));
    const std::int64_t known_after = p_.since ? p_.since->receipts : 0;
    if (known_after < now_.receipts) {
      take(tx_.receipts().changed_since(known, known_after));
    }
  }

  /// The m.receipt event of a room: receipts changed since the token (all, for a room new to
  /// the client), as {event_id: {type: {user_id: {ts, thread_id?}}}}.
  std::optional<nlohmann::json> receipt_event(const std::string& room_id, bool fresh) {
    auto it = receipts_.find(room_id);
    if (it == receipts_.end()) {
      return std::nullopt;
    }
    nlohmann::json content = nlohmann::json::object();
    for (const auto& r : it->second) {
      if (!fresh && p_.since && r.stream <= p_.since->receipts) {
        continue;
      }
      nlohmann::json entry = {{"ts", r.ts}};
      if (!r.thread_id.empty()) {
        entry["thread_id"] = r.thread_id;
      }
      content[r.event_id][r.receipt_type][r.user_id] = entry;
    }
    if (content.empty()) {
      return std::nullopt;
    }
    return nlohmann::json{{"type", "m.receipt"}, {"content", content}};
  }

  /// Typing and receipts in the room when they changed since the token (always on a first sync
  /// of the room, when there is any).
  nlohmann::json ephemeral_events(const std::string& room_id, bool fresh) {
    auto events = nlohmann::json::array();
    if (!p_.filter.ephemeral.matches_room(room_id)) {
      return events;
    }
    if (p_.filter.ephemeral.matches_type("m.receipt")) {
      if (auto receipts = receipt_event(room_id, fresh)) {
        events.push_back(std::move(*receipts));
      }
    }
    if (!p_.filter.ephemeral.matches_type("m.typing")) {
      return events;
    }
    const auto changed_at = typing_.room_position(room_id);
    auto users = typing_.typing_in(room_id);
    const bool changed = p_.since && !fresh ? changed_at > p_.since->typing : !users.empty();
    if (changed) {
      events.push_back({{"type", "m.typing"}, {"content", {{"user_ids", users}}}});
    }
    return events;
  }

  nlohmann::json room_account_data(const std::string& room_id) {
    auto events = nlohmann::json::array();
    for (const auto& entry : account_data_changes()) {
      if (entry.room_id == room_id && p_.filter.room_account_data.matches_type(entry.type)) {
        events.push_back({{"type", entry.type}, {"content", nlohmann::json::parse(entry.content)}});
      }
    }
    return {{"events", events}};
  }

  std::optional<nlohmann::json> joined_room(const storage::RoomMember& member) {
    const auto& room_id = member.room_id;
    const auto& version = version_of(room_id);
    rooms::HistoryVisibility visibility(tx_, room_id, p_.user_id);
    // A room joined since the token is new to the client: it gets the full picture. With
    // full_state the state is complete but the timeline still starts at the token.
    const bool newly_joined = !p_.since || member.stream > p_.since->events;
    const std::int64_t after = newly_joined ? 0 : p_.since->events;
    auto t = timeline(room_id, after, now_.events, visibility);
    auto account_data = room_account_data(room_id);
    auto ephemeral = ephemeral_events(room_id, newly_joined);
    if (!newly_joined && !p_.full_state && t.events.empty() && account_data["events"].empty() &&
        ephemeral.empty()) {
      return std::nullopt;
    }
    const bool full = newly_joined || p_.full_state;
    auto state = state_section(room_id, t, now_.events, full ? std::nullopt : std::optional(p_.since->events),
                               version, p_.full_state);
    nlohmann::json room = {{"timeline", serve_timeline(t, version, room_id, now_.events)},
                           {"state", {{"events", state}}},
                           {"account_data", account_data},
                           {"ephemeral", {{"events", ephemeral}}},
                           {"unread_notifications", nlohmann::json::object()}};
    room["summary"] = summary(room_id);
    return room;
  }

  /// The room summary: member counts, and up to five other members as heroes for clients to
  /// name the room by when it has no name (joined first, then invited, by user ID).
  nlohmann::json summary(const std::string& room_id) {
    auto joined = tx_.rooms().members(room_id, storage::Membership::join);
    auto invited = tx_.rooms().members(room_id, storage::Membership::invite);
    auto heroes = nlohmann::json::array();
    for (const auto* list : {&joined, &invited}) {
      for (const auto& m : *list) {
        if (m.user_id != p_.user_id && heroes.size() < 5) {
          heroes.push_back(m.user_id);
        }
      }
    }
    return {{"m.joined_member_count", joined.size()},
            {"m.invited_member_count", invited.size()},
            {"m.heroes", heroes}};
  }

  nlohmann::json invited_room(const storage::RoomMember& member) {
    return {{"invite_state", stripped_state(member)}};
  }

  /// Stripped state a client needs to show an invite or knock (client-server API, "Stripped
  /// state"), ending with the user's own member event.
  nlohmann::json stripped_state(const storage::RoomMember& member) {
    static const char* const shown[] = {"m.room.create",       "m.room.join_rules", "m.room.name",
                                        "m.room.avatar",       "m.room.topic",      "m.room.canonical_alias",
                                        "m.room.encryption"};
    std::vector<std::string> ids;
    for (const char* type : shown) {
      if (auto id = tx_.rooms().current_state_event(member.room_id, {type, ""})) {
        ids.push_back(*id);
      }
    }
    ids.push_back(member.event_id);
    auto events = nlohmann::json::array();
    for (const auto& event : tx_.events().get_many(ids)) {
      if (ids.size() == 1) {
        // A room this server is not in: the inviting server's description of it.
        for (auto& stripped : rooms::invite_room_state(event)) {
          events.push_back(std::move(stripped));
        }
      }
      events.push_back(rooms::stripped_state_event(event));
    }
    return {{"events", events}};
  }

  nlohmann::json left_room(const storage::RoomMember& member) {
    const auto& room_id = member.room_id;
    const auto& version = version_of(room_id);
    rooms::HistoryVisibility visibility(tx_, room_id, p_.user_id);
    const std::int64_t after = p_.since && !p_.full_state ? p_.since->events : 0;
    // Up to and including the leave: later events are not the user's to see.
    auto t = timeline(room_id, after, member.stream, visibility);
    auto state = state_section(room_id, t, member.stream,
                               after > 0 ? std::optional(after) : std::nullopt, version);
    return {{"timeline", serve_timeline(t, version, room_id, member.stream)},
            {"state", {{"events", state}}},
            {"account_data", room_account_data(room_id)}};
  }

  storage::ReadTx& tx_;
  const SyncParams& p_;
  const rooms::Typing& typing_;
  const rooms::Presence* presence_;
  SyncToken now_;
  std::map<std::string, std::vector<storage::Receipt>> receipts_;
  /// The user's joined rooms, read once per sync.
  std::vector<storage::RoomMember> joined_;
  std::optional<std::vector<storage::AccountDataEntry>> account_data_;
};

ApiResponse compute(RequestContext& ctx, const SyncParams& params, std::int64_t timeout_ms,
                    std::chrono::steady_clock::time_point deadline, bool at_deadline) {
  // Read the generation first: anything committed after this point wakes the wait below.
  const auto generation = ctx.services.notifier.generation();
  auto [response, has_updates] =
      ctx.services.database.read([&](storage::ReadTx& tx) {
        return SyncBuilder(tx, params, ctx.services.typing,
                           ctx.services.config.presence_enabled ? &ctx.services.presence : nullptr)
            .build();
      });
  if (has_updates || !params.since || params.full_state || timeout_ms <= 0 || at_deadline) {
    return json_response(response);
  }
  auto copy = std::make_shared<SyncParams>(params);
  return park_until_notified(ctx, generation, deadline, [copy, deadline](RequestContext& again, bool final_answer) {
    return compute(again, *copy, 1, deadline, final_answer);
  });
}

}  // namespace

ApiResponse sync(RequestContext& ctx, const SyncRequest& req) {
  SyncParams params;
  params.user_id = ctx.principal->user_id;
  params.viewer = *ctx.principal;
  if (req.since) {
    params.since = SyncToken::parse(*req.since);
    if (!params.since) {
      throw MatrixError(ErrCode::invalid_param, "Unknown since token");
    }
  }
  if (req.set_presence && *req.set_presence != "online" && *req.set_presence != "offline" &&
      *req.set_presence != "unavailable") {
    throw MatrixError(ErrCode::invalid_param, "set_presence must be online, offline or unavailable");
  }
  if (req.timeout && *req.timeout < 0) {
    throw MatrixError(ErrCode::invalid_param, "timeout must not be negative");
  }
  params.filter = load_filter(ctx, req.filter);
  // Syncing is what keeps a user online (or what `set_presence` asks for).
  presence_after_sync(ctx, params.user_id, req.set_presence.value_or("online"));
  if (params.since && params.since->to_device > 0) {
    // Coming back with a token acknowledges the to-device messages delivered up to it.
    const auto& device = *ctx.principal;
    ctx.services.database.write([&](storage::WriteTx& tx) {
      return tx.to_device().acknowledge(device.user_id, device.device_id, params.since->to_device);
    });
  }
  params.full_state = req.full_state.value_or(false);
  const std::int64_t timeout_ms = std::min(req.timeout.value_or(0), max_timeout_ms);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  return compute(ctx, params, timeout_ms, deadline, false);
}

}  // namespace ranvier::api::client_server
