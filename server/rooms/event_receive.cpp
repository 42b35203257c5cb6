// The receive path: the checks on receipt of a PDU (server-server API, "Checks performed on
// receipt of a PDU") over the pipeline's shared phases.

#include "core/auth/event_auth.hpp"
#include "core/auth/event_view.hpp"
#include "core/event.hpp"
#include "core/pdu_format.hpp"
#include "core/redaction.hpp"
#include "rooms/errors.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/pipeline_internal.hpp"
#include "rooms/received_event.hpp"
#include "rooms/third_party_signature.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace ranvier::rooms {

std::string_view to_string(ReceiveStatus status) {
  switch (status) {
    case ReceiveStatus::accepted:
      return "accepted";
    case ReceiveStatus::soft_failed:
      return "soft-failed";
    case ReceiveStatus::rejected:
      return "rejected";
    case ReceiveStatus::already_known:
      return "already known";
    case ReceiveStatus::bad_format:
      return "malformed";
    case ReceiveStatus::bad_signature:
      return "bad signature";
    case ReceiveStatus::unknown_room:
      return "unknown room";
    case ReceiveStatus::missing_auth_events:
      return "missing auth events";
    case ReceiveStatus::missing_prev_events:
      return "missing prev events";
  }
  return "unknown";
}

bool ReceiveResult::stored() const {
  return status == ReceiveStatus::accepted || status == ReceiveStatus::soft_failed ||
         status == ReceiveStatus::rejected || status == ReceiveStatus::already_known;
}

namespace {

/// Whether a stored event is the received one: the same room and the same content hash. For
/// room versions 1 and 2 the event ID is chosen by the sending server, not derived from the
/// event, so a second event under a known ID must not take the stored one's place.
bool same_event(const storage::StoredEvent& stored, const VerifiedPdu& pdu) {
  if (stored.room_id != pdu.room_id) {
    return false;
  }
  const auto json = nlohmann::json::parse(stored.json, nullptr, false);
  const auto hashes = pdu.pdu.find("hashes");
  return json.is_object() && hashes != pdu.pdu.end() && json.value("hashes", nlohmann::json()) == *hashes;
}

ReceiveResult failure(ReceiveStatus status, std::string event_id, std::string reason) {
  ReceiveResult r;
  r.status = status;
  r.event_id = std::move(event_id);
  r.reason = std::move(reason);
  return r;
}

core::VerifyKeyLookup lookup_at(KeyLookup& keys, std::int64_t at_ts) {
  return [&keys, at_ts](std::string_view server, std::string_view key_id) { return keys.key(server, key_id, at_ts); };
}

std::int64_t origin_ts(const nlohmann::json& pdu) {
  auto it = pdu.find("origin_server_ts");
  return it != pdu.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

/// missing_auth_events naming the auth events of `pdu` that are not stored; nullopt when all are.
std::optional<ReceiveResult> missing_auth_events(storage::ReadTx& tx, const VerifiedPdu& pdu) {
  const auto auth_ids = pipeline::referenced_ids(pdu.pdu["auth_events"]);
  auto known = tx.events().known(auth_ids);
  auto r = failure(ReceiveStatus::missing_auth_events, pdu.event_id, "Some auth events are unknown here");
  for (const auto& id : auth_ids) {
    if (!std::binary_search(known.begin(), known.end(), id)) {
      r.missing.push_back(id);
    }
  }
  if (r.missing.empty()) {
    return std::nullopt;
  }
  return r;
}

}  // namespace

ReceiveResult verify_received(const nlohmann::json& pdu, const core::RoomVersion& version, KeyLookup& keys) {
  // format
  if (auto issue = core::check_pdu_format(pdu, version)) {
    std::string field(issue->field);
    return failure(ReceiveStatus::bad_format, "",
                   std::string(core::to_string(issue->error)) + (field.empty() ? "" : " (" + field + ")"));
  }
  // signatures, then the content hash
  auto verification = core::verify_event(pdu, version, lookup_at(keys, origin_ts(pdu)));
  if (verification.verdict == core::EventVerdict::reject) {
    std::string why = verification.signature_error ? std::string(core::to_string(*verification.signature_error))
                                                   : std::string("not signed");
    return failure(ReceiveStatus::bad_signature, verification.event_id,
                   why + (verification.server.empty() ? "" : " (" + verification.server + ")"));
  }
  VerifiedPdu verified;
  verified.version = &version;
  verified.event_id = verification.event_id;
  if (verification.verdict == core::EventVerdict::redact) {
    verified.pdu = core::redact(pdu, version);
    verified.redacted = true;
  } else {
    verified.pdu = pdu;
  }
  verified.pdu.erase("unsigned");
  const bool is_create = pdu["type"] == "m.room.create" && pdu.value("state_key", "x").empty();
  if (is_create && version.room_id_is_create_hash) {
    verified.room_id = core::room_id_from_create_event(verified.pdu, version);
  } else {
    verified.room_id = pdu["room_id"].get<std::string>();
  }
  ReceiveResult r;
  r.status = ReceiveStatus::accepted;
  r.event_id = verified.event_id;
  if (verified.redacted) {
    r.reason = "content hash mismatch: kept redacted";
  }
  r.verified = std::move(verified);
  return r;
}

auth::SignatureChecks received_signature_checks(std::string own_server, const core::RoomVersion& version,
                                                KeyLookup& keys) {
  auth::SignatureChecks checks;
  checks.event_signed_by = [own = std::move(own_server), &version, &keys](const nlohmann::json& pdu,
                                                                           std::string_view server) {
    const auto sigs = pdu.find("signatures");
    if (sigs == pdu.end() || !sigs->is_object()) {
      return false;
    }
    if (server == own) {
      // This server's own events were signed when it built them.
      return sigs->contains(own);
    }
    // The auth code sees events with their `event_id`, which versions ≥ 3 do not sign.
    nlohmann::json signed_form = pdu;
    if (version.event_format != core::EventFormat::v1) {
      signed_form.erase("event_id");
    }
    std::optional<std::int64_t> valid_at;
    if (version.enforce_key_validity) {
      valid_at = origin_ts(pdu);
    }
    return !core::verify_signatures_over(core::redacted_signable_json(signed_form, version), *sigs, server,
                                         lookup_at(keys, origin_ts(pdu)), valid_at);
  };
  checks.third_party_signed = third_party_signed;
  return checks;
}

std::optional<EventPipeline::Frontier> EventPipeline::frontier_of(storage::WriteTx& tx, TxEventSource& events,
                                                                  const std::string& room_id,
                                                                  const core::RoomVersion& version,
                                                                  const std::vector<std::string>& prev_events,
                                                                  const auth::SignatureChecks& signatures,
                                                                  std::vector<std::string>& missing) const {
  Frontier f;
  f.prev_events = prev_events;
  std::vector<std::int64_t> groups;
  for (const auto& prev : prev_events) {
    // An outlier has no state group: its state is as unknown as a missing event's.
    auto group = tx.state().event_state_group(prev);
    if (!group) {
      missing.push_back(prev);
      continue;
    }
    if (std::find(groups.begin(), groups.end(), *group) == groups.end()) {
      groups.push_back(*group);
    }
  }
  if (!missing.empty()) {
    return std::nullopt;
  }
  auto extremities = tx.rooms().forward_extremities(room_id);
  auto cited = prev_events;
  std::sort(cited.begin(), cited.end());
  cited.erase(std::unique(cited.begin(), cited.end()), cited.end());
  f.cites_all = cited == extremities;
  if (groups.size() == 1) {
    f.before_group = groups.front();
  } else if (groups.size() > 1) {
    std::vector<state_res::StateMap> states;
    for (auto group : groups) {
      states.push_back(pipeline::to_res_map(tx.state().state_map(group)));
    }
    auto resolved = state_res::resolve(version, states, events, signatures);
    auto delta = pipeline::difference(tx.state().state_map(groups.front()), resolved);
    f.before_group = tx.state().create_group(room_id, groups.front(), delta);
  }
  if (f.cites_all && f.before_group) {
    // The state after every extremity is the room's current state, whose rows are indexed by
    // key: far cheaper to look up than a state group (the common case: one server talking).
    f.before.emplace(StateView::current(tx, room_id, events));
  } else if (f.before_group) {
    f.before.emplace(StateView::of_group(tx, *f.before_group, events));
  } else {
    f.before.emplace(StateView::of_map(storage::StateMap{}, events));
  }
  return f;
}

ReceiveResult EventPipeline::receive(storage::WriteTx& tx, const VerifiedPdu& pdu,
                                     const auth::SignatureChecks& signatures) const {
  TxEventSource events(tx, &events_cache_);
  return receive_at(tx, events, pdu, signatures,
                    [&](TxEventSource& source, const std::vector<std::string>& prev_ids,
                        std::vector<std::string>& missing) {
                      return frontier_of(tx, source, pdu.room_id, *pdu.version, prev_ids, signatures, missing);
                    });
}

namespace {

/// The state a list of stored state events forms; `missing` gets the IDs not stored, and
/// `create` the create event, when listed.
std::optional<std::string> state_from_ids(TxEventSource& events, const std::vector<std::string>& ids,
                                          storage::StateMap& state, std::vector<std::string>& missing,
                                          const nlohmann::json** create) {
  for (const auto& id : ids) {
    const auto* event = events.fetch(id);
    if (event == nullptr) {
      missing.push_back(id);
      continue;
    }
    const auto state_key = event->find("state_key");
    const auto type = event->find("type");
    if (state_key == event->end() || !state_key->is_string() || type == event->end() || !type->is_string()) {
      return "The state lists a non-state event " + id;
    }
    storage::StateKey key{type->get<std::string>(), state_key->get<std::string>()};
    if (create != nullptr && key.type == "m.room.create" && key.state_key.empty()) {
      *create = event;
    }
    state[std::move(key)] = id;
  }
  return std::nullopt;
}

/// The membership rows `delta` implies, from the member events as `events` has them; `streams`
/// holds the stream positions of events stored just now, the others are looked up.
std::vector<storage::RoomMember> members_of(storage::WriteTx& tx, TxEventSource& events, const std::string& room_id,
                                            const storage::StateDelta& delta,
                                            const std::unordered_map<std::string_view, std::int64_t>& streams) {
  std::vector<storage::RoomMember> members;
  for (const auto& [key, id] : delta) {
    if (key.type != "m.room.member" || !id) {
      continue;
    }
    const auto* event = events.fetch(*id);
    if (event == nullptr) {
      continue;
    }
    const auto content = event->find("content");
    if (content == event->end() || !content->is_object()) {
      continue;
    }
    const auto membership = storage::parse_membership(content->value("membership", ""));
    if (!membership) {
      continue;
    }
    std::int64_t stream = 0;
    if (const auto found = streams.find(*id); found != streams.end()) {
      stream = found->second;
    } else if (const auto row = tx.events().get_row(*id)) {
      stream = row->stream;
    }
    members.push_back({room_id, key.state_key, *membership, *id, stream});
  }
  return members;
}

/// The work of EventPipeline::store_outliers, through a given event source.
std::vector<ReceiveResult> store_outliers_in(storage::WriteTx& tx, TxEventSource& events,
                                             const std::vector<VerifiedPdu>& pdus,
                                             const auth::SignatureChecks& signatures) {
  std::vector<ReceiveResult> results(pdus.size());
  // One look-up for everything these events are or cite; afterwards `known` also holds what
  // this call stored.
  std::vector<std::string> asked;
  std::vector<std::vector<std::string>> auth_ids(pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    asked.push_back(pdus[i].event_id);
    auth_ids[i] = pipeline::referenced_ids(pdus[i].pdu["auth_events"]);
    asked.insert(asked.end(), auth_ids[i].begin(), auth_ids[i].end());
  }
  std::sort(asked.begin(), asked.end());
  asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
  const auto stored = tx.events().known(asked);
  std::unordered_set<std::string> known(stored.begin(), stored.end());

  std::vector<std::size_t> pending(pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    pending[i] = i;
  }
  std::stable_sort(pending.begin(), pending.end(), [&](std::size_t a, std::size_t b) {
    return pdus[a].pdu.value("depth", std::int64_t{0}) < pdus[b].pdu.value("depth", std::int64_t{0});
  });
  std::vector<storage::NewEvent> rows;
  std::vector<std::size_t> row_of;
  while (!pending.empty()) {
    std::vector<std::size_t> later;
    for (const std::size_t i : pending) {
      const auto& pdu = pdus[i];
      if (known.contains(pdu.event_id)) {
        results[i] = failure(ReceiveStatus::already_known, pdu.event_id, "");
        continue;
      }
      auto missing = failure(ReceiveStatus::missing_auth_events, pdu.event_id, "Some auth events are unknown here");
      for (const auto& id : auth_ids[i]) {
        if (!known.contains(id)) {
          missing.missing.push_back(id);
        }
      }
      if (!missing.missing.empty()) {
        results[i] = std::move(missing);
        later.push_back(i);
        continue;
      }
      nlohmann::json checked = pdu.pdu;
      checked["event_id"] = pdu.event_id;
      auto row = pipeline::event_row(pdu.pdu, pdu.event_id, pdu.room_id);
      row.outlier = true;
      ReceiveResult r;
      r.status = ReceiveStatus::accepted;
      r.event_id = pdu.event_id;
      if (const auto decision = auth::authorize_by_auth_events(*pdu.version, checked, events, signatures); !decision) {
        r.status = ReceiveStatus::rejected;
        r.reason = pipeline::describe_rejection(decision, *pdu.version);
        row.rejected_reason = r.reason;
      }
      // The checked copy already carries the event_id the source adds: one copy per event, not two.
      events.add(pdu.event_id, std::move(checked), row.rejected_reason.has_value());
      known.insert(pdu.event_id);
      results[i] = std::move(r);
      rows.push_back(std::move(row));
      row_of.push_back(i);
    }
    if (later.size() == pending.size()) {
      break;
    }
    pending = std::move(later);
  }
  const auto inserted = tx.events().insert_many(rows);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    results[row_of[k]].stream = inserted[k].stream;
  }
  return results;
}

}  // namespace

std::vector<ReceiveResult> EventPipeline::store_outliers(storage::WriteTx& tx, const std::vector<VerifiedPdu>& pdus,
                                                         const auth::SignatureChecks& signatures) const {
  TxEventSource events(tx, &events_cache_);
  return store_outliers_in(tx, events, pdus, signatures);
}

ReceiveResult EventPipeline::receive_with_state(storage::WriteTx& tx, const VerifiedPdu& pdu,
                                                const std::vector<std::string>& state_ids,
                                                const auth::SignatureChecks& signatures) const {
  TxEventSource events(tx, &events_cache_);
  return receive_with_state(tx, events, pdu, state_ids, signatures);
}

ReceiveResult EventPipeline::receive_with_state(storage::WriteTx& tx, TxEventSource& events, const VerifiedPdu& pdu,
                                                const std::vector<std::string>& state_ids,
                                                const auth::SignatureChecks& signatures) const {
  storage::StateMap state;
  std::string problem;
  auto result = receive_at(
      tx, events, pdu, signatures,
      [&](TxEventSource& source, const std::vector<std::string>& prev_ids,
          std::vector<std::string>& missing) -> std::optional<Frontier> {
        if (auto error = state_from_ids(source, state_ids, state, missing, nullptr)) {
          problem = *error;
          return std::nullopt;
        }
        if (!missing.empty()) {
          return std::nullopt;
        }
        Frontier f;
        f.prev_events = prev_ids;
        f.depth = pdu.pdu.value("depth", std::int64_t{1});
        storage::StateDelta full(state.begin(), state.end());
        f.before_group = tx.state().create_group(pdu.room_id, std::nullopt, full);
        const auto extremities = tx.rooms().forward_extremities(pdu.room_id);
        f.cites_all = std::all_of(extremities.begin(), extremities.end(), [&](const std::string& id) {
          return std::find(prev_ids.begin(), prev_ids.end(), id) != prev_ids.end();
        });
        f.before.emplace(StateView::of_map(state, source));
        return f;
      });
  if (!problem.empty()) {
    return failure(ReceiveStatus::bad_format, pdu.event_id, problem);
  }
  if (result.stored() && result.status != ReceiveStatus::already_known) {
    tx.rooms().extend_history(pdu.room_id, pdu.event_id, pipeline::referenced_ids(pdu.pdu["prev_events"]));
  }
  return result;
}

ReceiveResult EventPipeline::join_from_state(storage::WriteTx& tx, const VerifiedPdu& join,
                                             const std::vector<std::string>& state_ids,
                                             const std::vector<VerifiedPdu>& outliers,
                                             const auth::SignatureChecks& signatures) const {
  if (tx.events().get_row(join.event_id)) {
    return failure(ReceiveStatus::already_known, join.event_id, "");
  }
  // One source for all of it: the state's events, kept parsed as they are stored, need not be
  // read back (a big room's state is thousands of them).
  TxEventSource events(tx, &events_cache_);
  const auto stored = store_outliers_in(tx, events, outliers, signatures);
  std::unordered_map<std::string_view, std::int64_t> streams;
  for (const auto& result : stored) {
    if (result.status == ReceiveStatus::accepted || result.status == ReceiveStatus::rejected) {
      streams.emplace(result.event_id, result.stream);
    }
  }
  storage::StateMap state;
  std::vector<std::string> missing;
  const nlohmann::json* create = nullptr;
  if (auto error = state_from_ids(events, state_ids, state, missing, &create)) {
    return failure(ReceiveStatus::bad_format, join.event_id, *error);
  }
  if (!missing.empty()) {
    auto r = failure(ReceiveStatus::missing_prev_events, join.event_id, "Some events of the room state are unknown");
    r.missing = std::move(missing);
    return r;
  }
  if (create == nullptr) {
    return failure(ReceiveStatus::bad_format, join.event_id, "The room state has no create event");
  }
  // The room as the resident server described it becomes ours: registered, its state current
  // (a rejoin replaces what we had), no forward extremity until the join. The caller rolls
  // all of it back unless the join is accepted.
  tx.rooms().create(storage::Room{.room_id = join.room_id,
                                  .room_version = std::string(join.version->id),
                                  .created_ts = create->value("origin_server_ts", std::int64_t{0}),
                                  .creator = create->value("sender", std::string()),
                                  .is_public = false});
  tx.rooms().lock(join.room_id);
  const auto delta = pipeline::difference(tx.rooms().current_state(join.room_id), pipeline::to_res_map(state));
  tx.rooms().apply_state_delta(join.room_id, delta);
  tx.rooms().set_memberships(members_of(tx, events, join.room_id, delta, streams));
  tx.rooms().set_forward_extremities(join.room_id, {});
  return receive_with_state(tx, events, join, state_ids, signatures);
}

ReceiveResult EventPipeline::receive_at(storage::WriteTx& tx, TxEventSource& events, const VerifiedPdu& pdu,
                                        const auth::SignatureChecks& signatures,
                                        const FrontierSource& frontier_source) const {
  const auto& version = *pdu.version;
  const auto& room_id = pdu.room_id;
  if (!tx.rooms().lock(room_id)) {
    return failure(ReceiveStatus::unknown_room, pdu.event_id, "This server is not in the room " + room_id);
  }
  // An outlier (known from a join's state, an auth chain) received live takes its place in the
  // DAG now; one rejected as an outlier stays as it is.
  const auto existing = tx.events().get_row(pdu.event_id);
  if (existing && (!existing->outlier || existing->rejected() || !same_event(*existing, pdu))) {
    return failure(ReceiveStatus::already_known, pdu.event_id, "");
  }
  const bool promote = existing.has_value();
  nlohmann::json event = pdu.pdu;
  nlohmann::json checked = event;
  checked["event_id"] = pdu.event_id;
  const auto prev_ids = pipeline::referenced_ids(event["prev_events"]);

  auto store_rejected = [&](Frontier f, const auth::AuthDecision& decision) {
    auto reason = pipeline::describe_rejection(decision, version);
    persist(tx, events, version, room_id, event, pdu.event_id, f,
            PersistAs{.rejected_reason = reason, .promote_outlier = promote}, signatures);
    return failure(ReceiveStatus::rejected, pdu.event_id, reason);
  };

  // auth against the event's own auth events (unknown ones are fetched by the caller first)
  if (auto decision = auth::authorize_by_auth_events(version, checked, events, signatures); !decision) {
    if (decision.rule == auth::AuthRule::auth_events_missing) {
      if (auto missing = missing_auth_events(tx, pdu)) {
        return std::move(*missing);
      }
    }
    Frontier f;
    f.prev_events = prev_ids;
    return store_rejected(std::move(f), decision);
  }
  // auth against the state before the event
  std::vector<std::string> missing;
  auto f = frontier_source(events, prev_ids, missing);
  if (!f) {
    auto r = failure(ReceiveStatus::missing_prev_events, pdu.event_id, "The state before the event is unknown");
    r.missing = std::move(missing);
    return r;
  }
  if (auto decision = auth::check_against_state(version, checked, *f->before, signatures); !decision) {
    return store_rejected(std::move(*f), decision);
  }
  // soft fail against the current state (the same check when the event cites every extremity)
  PersistAs as;
  as.promote_outlier = promote;
  std::string soft_reason;
  if (!f->cites_all) {
    auto current = StateView::current(tx, room_id, events);
    if (auto decision = auth::check_against_state(version, checked, current, signatures); !decision) {
      as.soft_failed = true;
      soft_reason = pipeline::describe_rejection(decision, version);
    }
  }
  ReceiveResult r;
  r.stream = persist(tx, events, version, room_id, event, pdu.event_id, *f, as, signatures);
  r.status = as.soft_failed ? ReceiveStatus::soft_failed : ReceiveStatus::accepted;
  r.event_id = pdu.event_id;
  r.reason = std::move(soft_reason);
  return r;
}

ReceiveResult EventPipeline::receive_history(storage::WriteTx& tx, const VerifiedPdu& pdu,
                                             const auth::SignatureChecks& signatures,
                                             const std::vector<std::string>* state_ids) const {
  const auto& version = *pdu.version;
  const auto& room_id = pdu.room_id;
  if (!tx.rooms().lock(room_id)) {
    return failure(ReceiveStatus::unknown_room, pdu.event_id, "This server is not in the room " + room_id);
  }
  const auto existing = tx.events().get_row(pdu.event_id);
  if (existing && !existing->outlier) {
    return failure(ReceiveStatus::already_known, pdu.event_id, "");
  }
  TxEventSource events(tx, &events_cache_);
  nlohmann::json checked = pdu.pdu;
  checked["event_id"] = pdu.event_id;
  const auto prev_ids = pipeline::referenced_ids(pdu.pdu["prev_events"]);
  std::optional<std::string> rejected;
  std::optional<Frontier> f;
  // auth against the event's own auth events, then against the state before it
  if (auto decision = auth::authorize_by_auth_events(version, checked, events, signatures); !decision) {
    if (decision.rule == auth::AuthRule::auth_events_missing) {
      if (auto missing = missing_auth_events(tx, pdu)) {
        return std::move(*missing);
      }
    }
    rejected = pipeline::describe_rejection(decision, version);
  } else {
    std::vector<std::string> missing;
    if (state_ids != nullptr) {
      storage::StateMap state;
      if (auto error = state_from_ids(events, *state_ids, state, missing, nullptr)) {
        return failure(ReceiveStatus::bad_format, pdu.event_id, *error);
      }
      if (missing.empty()) {
        f.emplace();
        f->before_group = tx.state().create_group(room_id, std::nullopt, storage::StateDelta(state.begin(), state.end()));
      }
    } else {
      if (auto found = frontier_of(tx, events, room_id, version, prev_ids, signatures, missing)) {
        f.emplace(std::move(*found));
      }
    }
    if (!f) {
      auto r = failure(ReceiveStatus::missing_prev_events, pdu.event_id, "The state before the event is unknown");
      r.missing = std::move(missing);
      return r;
    }
    // History is judged by the state before it, never by the present.
    f->before.reset();
    if (f->before_group) {
      f->before.emplace(StateView::of_group(tx, *f->before_group, events));
    } else {
      f->before.emplace(StateView::of_map(storage::StateMap{}, events));
    }
    if (auto decision = auth::check_against_state(version, checked, *f->before, signatures); !decision) {
      rejected = pipeline::describe_rejection(decision, version);
    }
  }
  ReceiveResult r;
  r.event_id = pdu.event_id;
  r.status = rejected ? ReceiveStatus::rejected : ReceiveStatus::accepted;
  r.reason = rejected.value_or("");
  if (existing) {
    r.stream = pipeline::promote_outlier(tx, events_cache_, pdu.event_id, rejected, false);
  } else {
    nlohmann::json stored = pdu.pdu;
    const auto key = stored.find("state_key");
    if (key != stored.end() && key->is_string() && !rejected && f) {
      pipeline::note_replaced_state(stored, {stored["type"].get<std::string>(), key->get<std::string>()}, *f->before,
                                    events);
    }
    auto row = pipeline::event_row(stored, pdu.event_id, room_id);
    row.backfilled = true;
    row.rejected_reason = rejected;
    r.stream = tx.events().insert(row).stream;
  }
  if (f) {
    // A rejected event changes no state: the state after it is the state before it.
    std::optional<std::int64_t> after = f->before_group;
    const auto state_key = pdu.pdu.find("state_key");
    if (state_key != pdu.pdu.end() && state_key->is_string() && !rejected) {
      storage::StateDelta change{{{pdu.pdu["type"].get<std::string>(), state_key->get<std::string>()}, pdu.event_id}};
      after = tx.state().create_group(room_id, f->before_group, change);
    }
    if (after) {
      tx.state().set_event_state_group(pdu.event_id, *after);
    }
  }
  if (!rejected && pdu.pdu.value("type", "") == "m.room.redaction") {
    if (auto target = auth::EventView(pdu.pdu).redacts()) {
      if (auto stored = tx.events().get_row(*target); stored && stored->room_id == room_id) {
        tx.events().set_redacted_by(*target, pdu.event_id);
      }
    }
  }
  tx.rooms().extend_history(room_id, pdu.event_id, prev_ids);
  events.add(pdu.event_id, pdu.pdu, rejected.has_value());
  return r;
}

ReceiveResult EventPipeline::store_outlier(storage::WriteTx& tx, const VerifiedPdu& pdu,
                                           const auth::SignatureChecks& signatures, bool unknown_auth_ok) const {
  const auto& version = *pdu.version;
  if (tx.events().get_row(pdu.event_id)) {
    return failure(ReceiveStatus::already_known, pdu.event_id, "");
  }
  auto missing = missing_auth_events(tx, pdu);
  if (missing && !unknown_auth_ok) {
    return std::move(*missing);
  }
  TxEventSource events(tx, &events_cache_);
  nlohmann::json checked = pdu.pdu;
  checked["event_id"] = pdu.event_id;
  auto row = pipeline::event_row(pdu.pdu, pdu.event_id, pdu.room_id);
  row.outlier = true;
  ReceiveResult r;
  r.status = ReceiveStatus::accepted;
  r.event_id = pdu.event_id;
  const auto decision = missing ? auth::allow(auth::AuthRule::allowed_otherwise)
                                : auth::authorize_by_auth_events(version, checked, events, signatures);
  if (!decision) {
    r.status = ReceiveStatus::rejected;
    r.reason = pipeline::describe_rejection(decision, version);
    row.rejected_reason = r.reason;
  }
  r.stream = tx.events().insert(row).stream;
  events.add(pdu.event_id, pdu.pdu, row.rejected_reason.has_value());
  return r;
}

}  // namespace ranvier::rooms
