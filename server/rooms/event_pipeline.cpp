#include "rooms/event_pipeline.hpp"

#include "core/auth/auth_events.hpp"
#include "core/auth/event_auth.hpp"
#include "core/auth/event_view.hpp"
#include "core/base64.hpp"
#include "core/canonical_json.hpp"
#include "core/event.hpp"
#include "core/pdu_format.hpp"
#include "core/state_res/state_res.hpp"
#include "rooms/errors.hpp"
#include "rooms/federation_fanout.hpp"
#include "rooms/opaque_id.hpp"
#include "rooms/persist_hooks.hpp"
#include "rooms/pipeline_internal.hpp"
#include "rooms/state_view.hpp"
#include "rooms/third_party_signature.hpp"

#include <algorithm>
#include <chrono>

namespace ranvier::rooms {
namespace {

/// Synapse and Dendrite cite at most 10 extremities; more only widen the DAG.
constexpr std::size_t max_cited_extremities = 10;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const core::RoomVersion& version_of(const std::string& id) {
  const auto* version = core::find_room_version(id);
  if (version == nullptr) {
    throw RoomError(RoomErrorKind::unsupported_version, "Unsupported room version " + id);
  }
  return *version;
}

/// Local events are signed by this server a moment ago: the signature checks of the auth
/// rules (restricted joins) accept this server's own signature and nothing else until
/// federation brings key lookups.
auth::SignatureChecks local_signature_checks(const std::string& server_name) {
  auth::SignatureChecks checks;
  checks.event_signed_by = [server_name](const nlohmann::json& pdu, std::string_view server) {
    const auto* signatures = pdu.contains("signatures") ? &pdu["signatures"] : nullptr;
    return server == server_name && signatures != nullptr && signatures->is_object() &&
           signatures->contains(server_name);
  };
  checks.third_party_signed = third_party_signed;
  return checks;
}

}  // namespace

namespace pipeline {

state_res::StateMap to_res_map(const storage::StateMap& state) {
  state_res::StateMap out;
  for (const auto& [key, id] : state) {
    out.emplace(auth::StateKey{key.type, key.state_key}, id);
  }
  return out;
}

storage::StateDelta difference(const storage::StateMap& from, const state_res::StateMap& to) {
  storage::StateDelta delta;
  for (const auto& [key, id] : to) {
    storage::StateKey k{key.type, key.state_key};
    auto it = from.find(k);
    if (it == from.end() || it->second != id) {
      delta[k] = id;
    }
  }
  for (const auto& [key, id] : from) {
    if (to.find(auth::StateKeyView{key.type, key.state_key}) == to.end()) {
      delta[key] = std::nullopt;
    }
  }
  return delta;
}

std::string describe_rejection(const auth::AuthDecision& decision, const core::RoomVersion& version) {
  std::string text = std::string(auth::describe(decision.rule));
  auto number = auth::rule_number(decision.rule, version);
  if (!number.empty()) {
    text += " (auth rule " + number + ")";
  }
  return text;
}

std::vector<std::string> referenced_ids(const nlohmann::json& refs) {
  std::vector<std::string> ids;
  if (!refs.is_array()) {
    return ids;
  }
  for (const auto& ref : refs) {
    if (ref.is_string()) {
      ids.push_back(ref.get<std::string>());
    } else if (ref.is_array() && !ref.empty() && ref[0].is_string()) {
      ids.push_back(ref[0].get<std::string>());
    }
  }
  return ids;
}

storage::NewEvent event_row(const nlohmann::json& pdu, const std::string& event_id, const std::string& room_id) {
  storage::NewEvent row{.event_id = event_id,
                        .room_id = room_id,
                        .type = pdu["type"].get<std::string>(),
                        .sender = pdu["sender"].get<std::string>(),
                        .depth = pdu["depth"].get<std::int64_t>(),
                        .origin_server_ts = pdu["origin_server_ts"].get<std::int64_t>(),
                        .json = core::canonical_json(pdu),
                        .prev_events = referenced_ids(pdu["prev_events"]),
                        .auth_events = referenced_ids(pdu["auth_events"])};
  if (pdu.contains("state_key")) {
    row.state_key = pdu["state_key"].get<std::string>();
  }
  const auto& content = pdu["content"];
  if (const auto* relates = content.contains("m.relates_to") ? &content["m.relates_to"] : nullptr;
      relates != nullptr && relates->is_object()) {
    if (relates->contains("event_id") && (*relates)["event_id"].is_string()) {
      row.relates_to = (*relates)["event_id"].get<std::string>();
    }
    if (relates->contains("rel_type") && (*relates)["rel_type"].is_string()) {
      row.rel_type = (*relates)["rel_type"].get<std::string>();
    }
  }
  return row;
}

std::int64_t promote_outlier(storage::WriteTx& tx, EventCache& shared, const std::string& event_id,
                             const std::optional<std::string>& rejected_reason, bool soft_failed) {
  const auto existing = tx.events().get_row(event_id);
  if (!existing || !existing->outlier || !tx.events().promote_outlier(event_id)) {
    throw RoomError(RoomErrorKind::bad_event, "The event " + event_id + " is not an outlier");
  }
  if (rejected_reason && !existing->rejected()) {
    tx.events().set_rejected(event_id, *rejected_reason);
    shared.erase(event_id);
  }
  if (soft_failed) {
    tx.events().set_soft_failed(event_id, true);
  }
  return existing->stream;
}

}  // namespace pipeline

namespace {

using pipeline::describe_rejection;
using pipeline::difference;
using pipeline::to_res_map;

/// The reference to another event as the version writes it: a plain ID, or for v1/v2
/// `[id, {"sha256": reference hash}]`.
nlohmann::json reference(const core::RoomVersion& version, const std::string& id, TxEventSource& events) {
  if (version.event_format != core::EventFormat::v1) {
    return id;
  }
  const auto* pdu = events.fetch(id);
  std::string hash;
  if (pdu != nullptr) {
    nlohmann::json copy = *pdu;
    hash = core::base64_encode(core::as_bytes(core::reference_hash(copy, version)));
  }
  return nlohmann::json::array({id, {{"sha256", hash}}});
}

}  // namespace

auth::SignatureChecks EventPipeline::local_signatures() const { return local_signature_checks(server_name_); }

EventPipeline::Frontier EventPipeline::frontier(storage::WriteTx& tx, TxEventSource& events,
                                                const std::string& room_id,
                                                const core::RoomVersion& version) const {
  Frontier f;
  // Rows alone: the edges of the extremities are not needed, and there is usually one.
  std::vector<storage::StoredEvent> extremities;
  for (const auto& id : tx.rooms().forward_extremities(room_id)) {
    if (auto row = tx.events().get_row(id)) {
      extremities.push_back(std::move(*row));
    }
  }
  std::sort(extremities.begin(), extremities.end(),
            [](const auto& a, const auto& b) { return a.depth != b.depth ? a.depth > b.depth : a.stream > b.stream; });
  f.cites_all = extremities.size() <= max_cited_extremities;
  if (!f.cites_all) {
    extremities.resize(max_cited_extremities);
  }
  std::vector<std::int64_t> groups;
  std::int64_t max_depth = 0;
  for (const auto& prev : extremities) {
    f.prev_events.push_back(prev.event_id);
    max_depth = std::max(max_depth, prev.depth);
    if (auto group = tx.state().event_state_group(prev.event_id)) {
      if (std::find(groups.begin(), groups.end(), *group) == groups.end()) {
        groups.push_back(*group);
      }
    }
  }
  f.depth = std::min(max_depth + 1, core::max_canonical_int);
  if (groups.size() == 1) {
    f.before_group = groups.front();
  } else if (groups.size() > 1) {
    // Several branches: the state before the event is their resolution, kept as a new group
    // on top of the first branch's.
    std::vector<state_res::StateMap> states;
    for (auto group : groups) {
      states.push_back(to_res_map(tx.state().state_map(group)));
    }
    auto resolved = state_res::resolve(version, states, events, local_signature_checks(server_name_));
    auto delta = difference(tx.state().state_map(groups.front()), resolved);
    f.before_group = tx.state().create_group(room_id, groups.front(), delta);
  }
  if (f.cites_all || !f.before_group) {
    f.before.emplace(StateView::current(tx, room_id, events));
  } else {
    f.before.emplace(StateView::of_group(tx, *f.before_group, events));
  }
  return f;
}

nlohmann::json EventPipeline::assemble(const core::RoomVersion& version, const std::string& room_id,
                                       const EventDraft& draft, const Frontier& frontier,
                                       TxEventSource& events) const {
  nlohmann::json content = draft.content.is_object() ? draft.content : nlohmann::json::object();
  nlohmann::json ev = {{"type", draft.type},
                       {"sender", draft.sender},
                       {"content", std::move(content)},
                       {"origin_server_ts", draft.origin_server_ts.value_or(now_ms())},
                       {"depth", frontier.depth}};
  const bool is_create = draft.type == "m.room.create" && draft.state_key == "";
  if (!(is_create && version.room_id_is_create_hash)) {
    ev["room_id"] = room_id;
  }
  if (draft.state_key) {
    ev["state_key"] = *draft.state_key;
  }
  if (draft.redacts) {
    if (version.redacts_in_content) {
      ev["content"]["redacts"] = *draft.redacts;
    } else {
      ev["redacts"] = *draft.redacts;
    }
  }
  auto prev = nlohmann::json::array();
  for (const auto& id : frontier.prev_events) {
    prev.push_back(reference(version, id, events));
  }
  ev["prev_events"] = std::move(prev);
  ev["auth_events"] = nlohmann::json::array();
  if (!is_create) {
    std::vector<storage::StateKey> keys;
    for (auto& key : auth::auth_types_for_event(version, ev)) {
      keys.push_back({std::move(key.type), std::move(key.state_key)});
    }
    frontier.before->prefetch(keys);
    for (const auto& id : auth::select_auth_events(version, ev, *frontier.before)) {
      ev["auth_events"].push_back(reference(version, id, events));
    }
  }
  return ev;
}

nlohmann::json EventPipeline::build(const core::RoomVersion& version, const std::string& room_id,
                                    const EventDraft& draft, const Frontier& frontier, TxEventSource& events,
                                    std::string& event_id) const {
  auto ev = assemble(version, room_id, draft, frontier, events);
  if (version.event_format == core::EventFormat::v1) {
    event_id = "$" + opaque_id(18) + ":" + server_name_;
    ev["event_id"] = event_id;
  }
  core::sign_event(ev, version, server_name_, signing_key_);
  if (version.event_format != core::EventFormat::v1) {
    event_id = core::event_id_of(ev, version).value_or("");
  }
  return ev;
}

void EventPipeline::check_local(TxEventSource& events, const core::RoomVersion& version, const nlohmann::json& pdu,
                                const std::string& event_id, const Frontier& frontier) const {
  // format
  if (auto issue = core::check_pdu_format(pdu, version)) {
    if (issue->error == core::PduFormatError::too_large) {
      throw RoomError(RoomErrorKind::too_large, "The event is larger than 65536 bytes");
    }
    if (issue->error == core::PduFormatError::too_long) {
      // Synapse answers over-long types and state keys as an oversized event, too.
      throw RoomError(RoomErrorKind::too_large, std::string(issue->field) + " is longer than 255 bytes");
    }
    std::string field(issue->field);
    throw RoomError(RoomErrorKind::bad_event, std::string(core::to_string(issue->error)) +
                                                  (field.empty() ? "" : " (" + field + ")"));
  }
  // auth: the receipt checks against the event's own auth events, then the state before it.
  // For a local event that cites every extremity, that state is the current state, so the
  // soft-fail check against current state would repeat the second check.
  nlohmann::json checked = pdu;
  checked["event_id"] = event_id;
  const auto signatures = local_signature_checks(server_name_);
  if (auto decision = auth::authorize_by_auth_events(version, checked, events, signatures); !decision) {
    throw RoomError(RoomErrorKind::forbidden, describe_rejection(decision, version));
  }
  if (auto decision = auth::check_against_state(version, checked, *frontier.before, signatures); !decision) {
    throw RoomError(RoomErrorKind::forbidden, describe_rejection(decision, version));
  }
}

PersistedEvent EventPipeline::check_and_persist(storage::WriteTx& tx, TxEventSource& events,
                                                const core::RoomVersion& version, const std::string& room_id,
                                                nlohmann::json pdu, const std::string& event_id,
                                                const Frontier& frontier) const {
  check_local(events, version, pdu, event_id, frontier);
  const auto signatures = local_signature_checks(server_name_);
  std::optional<std::vector<std::string>> joined_servers;
  const auto stream = persist(tx, events, version, room_id, pdu, event_id, frontier,
                              PersistAs{.joined_servers = &joined_servers}, signatures);
  // Our own event: every other server in the room hears of it, through the outbox.
  queue_for_room_servers(tx, pdu, server_name_, {}, std::move(joined_servers));
  return PersistedEvent{event_id, room_id, stream, std::move(pdu)};
}

namespace pipeline {

void note_replaced_state(nlohmann::json& pdu, const storage::StateKey& key, const StateView& before,
                         TxEventSource& events) {
  // Clients see what a state event replaced (`unsigned.prev_content`); it is not part of the
  // signed event, so it is kept beside it.
  if (auto replaced = before.event_id(key)) {
    if (const auto* old = events.fetch(*replaced)) {
      pdu["unsigned"] = {{"replaces_state", *replaced},
                         {"prev_content", old->value("content", nlohmann::json::object())},
                         {"prev_sender", old->value("sender", "")}};
    }
  }
}

void update_memberships(storage::WriteTx& tx, const std::string& room_id, const storage::StateDelta& delta,
                        const std::string& event_id, const nlohmann::json& content, std::int64_t stream) {
  for (const auto& [key, id] : delta) {
    if (key.type != "m.room.member" || !id) {
      continue;
    }
    std::optional<storage::Membership> membership;
    std::int64_t member_stream = stream;
    if (*id == event_id) {
      membership = storage::parse_membership(content.value("membership", ""));
    } else if (auto row = tx.events().get_row(*id)) {
      auto json = nlohmann::json::parse(row->json, nullptr, false);
      if (json.is_object() && json.contains("content") && json["content"].is_object()) {
        membership = storage::parse_membership(json["content"].value("membership", ""));
      }
      member_stream = row->stream;
    }
    if (membership) {
      tx.rooms().set_membership({room_id, key.state_key, *membership, *id, member_stream});
    }
  }
}

}  // namespace pipeline

using pipeline::update_memberships;

std::int64_t EventPipeline::persist(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                                    const std::string& room_id, nlohmann::json& pdu, const std::string& event_id,
                                    const Frontier& frontier, const PersistAs& as,
                                    const auth::SignatureChecks& signatures) const {
  const std::string type = pdu["type"].get<std::string>();
  std::optional<std::string> state_key;
  if (pdu.contains("state_key")) {
    state_key = pdu["state_key"].get<std::string>();
  }
  const bool counts = !as.soft_failed && !as.rejected_reason;
  const auto& content = pdu["content"];
  if (state_key && !as.rejected_reason && frontier.before) {
    pipeline::note_replaced_state(pdu, {type, *state_key}, *frontier.before, events);
  }
  auto row = pipeline::event_row(pdu, event_id, room_id);
  row.prev_events = frontier.prev_events;
  row.rejected_reason = as.rejected_reason;
  row.soft_failed = as.soft_failed;
  storage::EventInsert inserted;
  if (as.promote_outlier) {
    inserted.stream = pipeline::promote_outlier(tx, events_cache_, event_id, as.rejected_reason, as.soft_failed);
  } else {
    inserted = tx.events().insert(row);
    if (inserted.result == storage::CreateResult::exists) {
      throw RoomError(RoomErrorKind::bad_event, "The event " + event_id + " exists already");
    }
  }

  // A rejected event changes no state: the state after it is the state before it.
  std::optional<std::int64_t> after_group = frontier.before_group;
  storage::StateDelta change;
  if (state_key && !as.rejected_reason) {
    change[{type, *state_key}] = event_id;
    after_group = tx.state().create_group(room_id, frontier.before_group, change);
  }
  if (after_group && as.promote_outlier) {
    tx.state().set_event_state_group(event_id, *after_group);
  } else if (after_group) {
    tx.state().set_new_event_state_group(inserted.stream, *after_group);
  }
  if (!counts) {
    events.add(event_id, pdu, as.rejected_reason.has_value());
    return inserted.stream;
  }
  tx.rooms().add_forward_extremity(room_id, event_id, frontier.prev_events);
  if (frontier.cites_all) {
    if (!change.empty()) {
      tx.rooms().apply_state_delta(room_id, change);
      update_memberships(tx, room_id, change, event_id, content, inserted.stream);
    }
  } else {
    // Uncited extremities remain: the current state is the resolution of every branch.
    std::vector<state_res::StateMap> states;
    for (const auto& id : tx.rooms().forward_extremities(room_id)) {
      if (auto group = tx.state().event_state_group(id)) {
        states.push_back(to_res_map(tx.state().state_map(*group)));
      }
    }
    auto resolved = state_res::resolve(version, states, events, signatures);
    auto delta = difference(tx.rooms().current_state(room_id), resolved);
    tx.rooms().apply_state_delta(room_id, delta);
    update_memberships(tx, room_id, delta, event_id, content, inserted.stream);
  }
  if (type == "m.room.redaction") {
    auto view = auth::EventView(pdu);
    if (auto target = view.redacts()) {
      if (auto stored = tx.events().get_row(*target); stored && stored->room_id == room_id) {
        tx.events().set_redacted_by(*target, event_id);
      }
    }
  }
  after_persist(tx, events, version, server_name_, room_id, pdu, event_id, inserted.stream, as.joined_servers);
  events.add(event_id, pdu);
  return inserted.stream;
}

const core::RoomVersion& EventPipeline::lock_room(storage::WriteTx& tx, const std::string& room_id) const {
  if (!tx.rooms().lock(room_id)) {
    throw RoomError(RoomErrorKind::not_found, "Unknown room " + room_id);
  }
  return version_of(tx.rooms().get(room_id)->room_version);
}

PersistedEvent EventPipeline::send(storage::WriteTx& tx, const std::string& room_id, const EventDraft& draft) const {
  return send_locked(tx, room_id, lock_room(tx, room_id), draft);
}

PersistedEvent EventPipeline::send_locked(storage::WriteTx& tx, const std::string& room_id,
                                          const core::RoomVersion& version, const EventDraft& draft) const {
  if (draft.type == "m.room.create" && draft.state_key == "") {
    throw RoomError(RoomErrorKind::forbidden, "A room has one create event");
  }
  TxEventSource events(tx, &events_cache_);
  auto f = frontier(tx, events, room_id, version);
  std::string event_id;
  auto pdu = build(version, room_id, draft, f, events, event_id);
  return check_and_persist(tx, events, version, room_id, std::move(pdu), event_id, f);
}

nlohmann::json EventPipeline::prepare(storage::WriteTx& tx, const std::string& room_id, const EventDraft& draft) const {
  const auto& version = lock_room(tx, room_id);
  TxEventSource events(tx, &events_cache_);
  auto f = frontier(tx, events, room_id, version);
  auto ev = assemble(version, room_id, draft, f, events);
  // The remote server signs the event; whether the room would take it is known now. This
  // server's signature (a restricted join it authorises) is added when the event comes back.
  nlohmann::json checked = ev;
  checked["event_id"] = "$template:" + server_name_;
  auth::SignatureChecks own_signature_follows;
  own_signature_follows.event_signed_by = [this](const nlohmann::json&, std::string_view server) {
    return server == server_name_;
  };
  if (auto decision = auth::check_against_state(version, checked, *f.before, own_signature_follows); !decision) {
    throw RoomError(RoomErrorKind::forbidden, describe_rejection(decision, version));
  }
  return ev;
}

VerifiedPdu EventPipeline::build_checked(storage::WriteTx& tx, const std::string& room_id,
                                         const EventDraft& draft) const {
  const auto& version = lock_room(tx, room_id);
  TxEventSource events(tx, &events_cache_);
  auto f = frontier(tx, events, room_id, version);
  VerifiedPdu built;
  built.version = &version;
  built.room_id = room_id;
  built.pdu = build(version, room_id, draft, f, events, built.event_id);
  check_local(events, version, built.pdu, built.event_id, f);
  return built;
}

PersistedEvent EventPipeline::create(storage::WriteTx& tx, const EventDraft& create_draft) const {
  const auto& version = version_of(create_draft.content.value("room_version", std::string(core::default_room_version)));
  TxEventSource events(tx, &events_cache_);
  Frontier f;
  std::string event_id;
  std::string room_id;
  nlohmann::json pdu;
  // A v12 room ID is the create event's hash, so two identical createRoom requests in the same
  // millisecond would name one room: the later one moves its timestamp on until its ID is free.
  EventDraft draft = create_draft;
  const std::int64_t first_ts = create_draft.origin_server_ts.value_or(now_ms());
  constexpr int max_attempts = 64;
  for (int attempt = 0;; ++attempt) {
    draft.origin_server_ts = first_ts + attempt;
    room_id = version.room_id_is_create_hash ? "" : "!" + opaque_id(18) + ":" + server_name_;
    pdu = build(version, room_id, draft, f, events, event_id);
    if (version.room_id_is_create_hash) {
      room_id = core::room_id_from_create_event(pdu, version);
    }
    storage::Room room{.room_id = room_id,
                       .room_version = std::string(version.id),
                       .created_ts = pdu["origin_server_ts"].get<std::int64_t>(),
                       .creator = create_draft.sender};
    if (tx.rooms().create(room) == storage::CreateResult::created) {
      break;
    }
    if (attempt + 1 == max_attempts) {
      throw RoomError(RoomErrorKind::room_in_use, "The room " + room_id + " exists already");
    }
  }
  f.before.emplace(StateView::current(tx, room_id, events));
  return check_and_persist(tx, events, version, room_id, std::move(pdu), event_id, f);
}

}  // namespace ranvier::rooms
