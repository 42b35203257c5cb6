// EventPipeline::join_from_state: entering a room from the state another server sent.

#include "rooms/event_pipeline.hpp"
#include "rooms/pipeline_internal.hpp"

namespace ranvier::rooms {
namespace {

ReceiveResult outcome(ReceiveStatus status, std::string event_id, std::string reason) {
  ReceiveResult r;
  r.status = status;
  r.event_id = std::move(event_id);
  r.reason = std::move(reason);
  return r;
}

}  // namespace

ReceiveResult EventPipeline::join_from_state(storage::WriteTx& tx, const VerifiedPdu& join,
                                             const std::vector<std::string>& state_ids,
                                             const auth::SignatureChecks& signatures) const {
  const auto& version = *join.version;
  const auto& room_id = join.room_id;
  if (tx.events().get_row(join.event_id)) {
    return outcome(ReceiveStatus::already_known, join.event_id, "");
  }
  TxEventSource events(tx, &events_cache_);

  // The state before the join, from the stored outliers.
  storage::StateMap state;
  std::vector<std::string> missing;
  const nlohmann::json* create = nullptr;
  for (const auto& id : state_ids) {
    const auto* event = events.fetch(id);
    if (event == nullptr) {
      missing.push_back(id);
      continue;
    }
    const auto state_key = event->find("state_key");
    if (state_key == event->end() || !state_key->is_string() || !(*event)["type"].is_string()) {
      return outcome(ReceiveStatus::bad_format, join.event_id, "The room state lists a non-state event " + id);
    }
    storage::StateKey key{(*event)["type"].get<std::string>(), state_key->get<std::string>()};
    if (key.type == "m.room.create" && key.state_key.empty()) {
      create = event;
    }
    state[std::move(key)] = id;
  }
  if (!missing.empty()) {
    auto r = outcome(ReceiveStatus::missing_prev_events, join.event_id, "Some events of the room state are unknown");
    r.missing = std::move(missing);
    return r;
  }
  if (create == nullptr) {
    return outcome(ReceiveStatus::bad_format, join.event_id, "The room state has no create event");
  }

  // Authorization before anything is written: a refused join leaves no room behind.
  Frontier f;
  f.prev_events = pipeline::referenced_ids(join.pdu.value("prev_events", nlohmann::json::array()));
  f.depth = join.pdu.value("depth", std::int64_t{1});
  f.cites_all = true;
  f.before.emplace(StateView::of_map(state, events));
  nlohmann::json checked = join.pdu;
  checked["event_id"] = join.event_id;
  if (auto decision = auth::authorize_by_auth_events(version, checked, events, signatures); !decision) {
    return outcome(ReceiveStatus::rejected, join.event_id, pipeline::describe_rejection(decision, version));
  }
  if (auto decision = auth::check_against_state(version, checked, *f.before, signatures); !decision) {
    return outcome(ReceiveStatus::rejected, join.event_id, pipeline::describe_rejection(decision, version));
  }

  tx.rooms().create(storage::Room{.room_id = room_id,
                                  .room_version = std::string(version.id),
                                  .created_ts = create->value("origin_server_ts", std::int64_t{0}),
                                  .creator = create->value("sender", std::string()),
                                  .is_public = false});
  tx.rooms().lock(room_id);
  storage::StateDelta full;
  for (const auto& [key, id] : state) {
    full.emplace(key, id);
  }
  f.before_group = tx.state().create_group(room_id, std::nullopt, full);
  const auto delta = pipeline::difference(tx.rooms().current_state(room_id), pipeline::to_res_map(state));
  // The state the resident server sent becomes ours; a rejoin replaces what we had, and the
  // join is the room's only forward extremity from here.
  tx.rooms().apply_state_delta(room_id, delta);
  pipeline::update_memberships(tx, room_id, delta, std::string(), nlohmann::json::object(), 0);
  tx.rooms().set_forward_extremities(room_id, {});

  nlohmann::json pdu = join.pdu;
  ReceiveResult r;
  r.stream = persist(tx, events, version, room_id, pdu, join.event_id, f, PersistAs{}, signatures);
  r.status = ReceiveStatus::accepted;
  r.event_id = join.event_id;
  return r;
}

}  // namespace ranvier::rooms
