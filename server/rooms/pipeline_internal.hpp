#pragma once
// Pieces of the event pipeline shared by its translation units (local events in
// event_pipeline.cpp, received ones in event_receive.cpp). Not for use outside server/rooms.

#include "core/auth/event_auth.hpp"
#include "core/state_res/state_res.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/state_view.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ranvier::rooms {

/// Where an event attaches to the room DAG, and the state before it.
struct EventPipeline::Frontier {
  std::vector<std::string> prev_events;
  std::int64_t depth = 1;
  /// The state group holding the state before the event; none for the create event.
  std::optional<std::int64_t> before_group;
  /// True when the event cites every forward extremity, so the state before it is the room's
  /// current state.
  bool cites_all = true;
  /// The state before the event, key by key.
  std::optional<StateView> before;
};

/// How persist stores an event.
struct EventPipeline::PersistAs {
  /// Passed auth against the state before it but not against the current state.
  bool soft_failed = false;
  /// Failed authorization: why. Rejected events change neither the frontier nor the state.
  std::optional<std::string> rejected_reason{};
  /// Stored already as an outlier: promoted into the DAG rather than inserted.
  bool promote_outlier = false;
  /// When set, receives the servers of the room's joined members after the event, which the
  /// notification step reads anyway, so the federation fan-out need not read them again.
  std::optional<std::vector<std::string>>* joined_servers = nullptr;
};

namespace pipeline {

/// Storage state to state-resolution state.
state_res::StateMap to_res_map(const storage::StateMap& state);

/// The delta that turns `from` into `to`.
storage::StateDelta difference(const storage::StateMap& from, const state_res::StateMap& to);

/// "why (auth rule N)" for a refusal.
std::string describe_rejection(const auth::AuthDecision& decision, const core::RoomVersion& version);

/// The event IDs of an `auth_events` or `prev_events` list in either wire shape.
std::vector<std::string> referenced_ids(const nlohmann::json& refs);

/// The storage row of a format-checked event (its prev and auth events as the event cites
/// them; not an outlier, not rejected, not soft-failed).
storage::NewEvent event_row(const nlohmann::json& pdu, const std::string& event_id, const std::string& room_id);

/// An outlier takes its place in the DAG (received live, or reached by backfill): a timeline
/// event from now on, keeping its stream position (state groups name events by it), marked
/// rejected or soft-failed as judged now (a rejection also leaves `shared`, which held it as
/// accepted). Returns that position.
std::int64_t promote_outlier(storage::WriteTx& tx, EventCache& shared, const std::string& event_id,
                             const std::optional<std::string>& rejected_reason, bool soft_failed);

/// Puts what a state event replaces in the state `before` it (its `replaces_state`, and the old
/// event's content and sender) into the PDU's `unsigned`, for clients.
void note_replaced_state(nlohmann::json& pdu, const storage::StateKey& key, const StateView& before,
                         TxEventSource& events);

/// Keeps memberships in step with a change of the room's current state. The event being
/// persisted (`event_id`, with its `content` and `stream`) is not read back.
void update_memberships(storage::WriteTx& tx, const std::string& room_id, const storage::StateDelta& delta,
                        const std::string& event_id, const nlohmann::json& content, std::int64_t stream);

}  // namespace pipeline
}  // namespace ranvier::rooms
