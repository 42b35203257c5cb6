#pragma once
// The one path every event of a room takes into the database, in named phases:
//
//   frontier  prev_events = the room's forward extremities; the state before the event is the
//             state after them (resolved when there are several)
//   build     auth_events by selection, depth, hashes, signature, event ID
//   format    the PDU checks of the room version (size, fields, identifiers)
//   auth      against the event's own auth_events, then against the state before it
//   persist   the event, its state group, the frontier, current state and memberships, all in
//             the caller's write transaction (so a rejected event leaves nothing behind)
//
// Notifying waiting /sync requests happens after commit, in RoomService. Events received
// over federation enter at the format phase (received_event.hpp: verify_received before the
// transaction, then `receive`), and share the auth and persist phases with local events.

#include "core/auth/event_store.hpp"
#include "core/room_version.hpp"
#include "core/signing.hpp"
#include "rooms/event_cache.hpp"
#include "rooms/received_event.hpp"
#include "rooms/tx_event_source.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ranvier::rooms {

/// What a local user asks to send: everything the server does not fill in itself.
struct EventDraft {
  std::string type;
  std::string sender;
  /// Present for state events.
  std::optional<std::string> state_key{};
  nlohmann::json content = nlohmann::json::object();
  /// The redacted event, for m.room.redaction (placed where the room version wants it).
  std::optional<std::string> redacts{};
  /// Milliseconds since the epoch; the current time when absent.
  std::optional<std::int64_t> origin_server_ts{};
};

/// An event that went through the pipeline and is stored.
struct PersistedEvent {
  std::string event_id;
  std::string room_id;
  std::int64_t stream = 0;
  /// The PDU as stored (with `unsigned` state-replacement details for state events).
  nlohmann::json pdu;
};

/// Builds, checks and stores local events. Stateless between calls apart from the identity,
/// so one instance serves every thread.
class EventPipeline {
 public:
  EventPipeline(std::string server_name, core::SigningKey signing_key)
      : server_name_(std::move(server_name)), signing_key_(std::move(signing_key)) {}

  /// Sends `draft` into an existing room. Throws RoomError: not_found (unknown room),
  /// forbidden (fails authorization), too_large / bad_event (format).
  PersistedEvent send(storage::WriteTx& tx, const std::string& room_id, const EventDraft& draft) const;

  /// The two halves of `send`, for callers that must check something (a transaction ID) while
  /// holding the room's lock: lock_room takes the lock and returns the room's version
  /// (RoomError not_found for unknown rooms); send_locked sends in a room locked so.
  const core::RoomVersion& lock_room(storage::WriteTx& tx, const std::string& room_id) const;
  PersistedEvent send_locked(storage::WriteTx& tx, const std::string& room_id, const core::RoomVersion& version,
                             const EventDraft& draft) const;

  /// Creates a room from its m.room.create draft (`content.room_version` must be set): registers
  /// the room and persists the create event. The room ID is derived from the create event in
  /// room version 12, random before. Throws RoomError.
  PersistedEvent create(storage::WriteTx& tx, const EventDraft& create_draft) const;

  /// The unsigned event another server asks for before joining, leaving or knocking
  /// (make_join, make_leave, make_knock): prev_events, auth_events, depth and the draft's fields,
  /// without hashes, signatures or (v1/v2) event ID. Throws RoomError forbidden when the current
  /// state would not allow the event, not_found for unknown rooms.
  nlohmann::json prepare(storage::WriteTx& tx, const std::string& room_id, const EventDraft& draft) const;

  /// Builds and signs `draft` as `send` does and runs the same format and auth checks, but
  /// stores nothing: an invite of another server's user goes to that server first (server-
  /// server API, "Inviting to a room") and is persisted, through `receive`, once it comes back
  /// countersigned. Throws RoomError like `send`.
  VerifiedPdu build_checked(storage::WriteTx& tx, const std::string& room_id, const EventDraft& draft) const;

  /// Runs a verified received event through the auth phases and persists it (the room must be
  /// this server's; its row is locked). Rejected events are stored as such. Missing auth or
  /// prev events are reported, with nothing written, for the caller to fetch and retry.
  ReceiveResult receive(storage::WriteTx& tx, const VerifiedPdu& pdu, const auth::SignatureChecks& signatures) const;

  /// Stores a verified event as an outlier: known without its place in the DAG (auth chain and
  /// state events of a send_join response, an invite to a room this server is not in). Only the
  /// check against its own auth_events applies; failing it stores the event as rejected.
  /// Unknown auth events give missing_auth_events, unless `unknown_auth_ok` (an invite or knock
  /// for a room this server is not in, whose auth events it cannot have): then the event is
  /// stored unchecked.
  ReceiveResult store_outlier(storage::WriteTx& tx, const VerifiedPdu& pdu, const auth::SignatureChecks& signatures,
                              bool unknown_auth_ok = false) const;

  /// store_outlier for many events (the state and auth chain of a send_join answer, the state
  /// before a gap), auth events first: by depth, then round after round for what still lacks
  /// an auth event, until nothing moves; what is left gets missing_auth_events. One result per
  /// event, in the order of `pdus`. The rows are written together (storage::EventStore::
  /// insert_many), so the number of statements does not grow with the number of events.
  std::vector<ReceiveResult> store_outliers(storage::WriteTx& tx, const std::vector<VerifiedPdu>& pdus,
                                            const auth::SignatureChecks& signatures) const;

  /// Like `receive`, for an event whose prev events' state this server lacks (a gap reaching
  /// back past what it has): `state_ids` is the state before the event as another server gave
  /// it (GET /state_ids), the events of which the caller stored (as outliers) first. Its prev
  /// events this server lacks become backward extremities, where backfill can continue.
  ReceiveResult receive_with_state(storage::WriteTx& tx, const VerifiedPdu& pdu,
                                   const std::vector<std::string>& state_ids,
                                   const auth::SignatureChecks& signatures) const;

  /// Stores an event of the room's history from before what this server holds (backfill; the
  /// caller goes oldest first). The auth checks against its auth events and against the state
  /// before it apply — that state from its prev events, or, for the earliest event of a batch,
  /// `state_ids` as another server gave it (GET /state, events stored first) — but nothing of
  /// the present changes: neither forward extremities nor current state, nor notifications.
  /// New events take stream positions below zero (storage::NewEvent::backfilled); an outlier
  /// reached this way is promoted into the DAG. The room's backward extremities move back.
  /// Missing auth or prev events are reported, with nothing written.
  ReceiveResult receive_history(storage::WriteTx& tx, const VerifiedPdu& pdu, const auth::SignatureChecks& signatures,
                                const std::vector<std::string>* state_ids = nullptr) const;

  /// Joins a room that lives on other servers (the end of make_join/send_join): `state_ids` is
  /// the state before `join` as the resident server sent it, `outliers` the verified events of
  /// that state and its auth chain, which are stored first (store_outliers) and then used as
  /// they are, not read back. Registers the room, makes that state its current state and passes
  /// the join through receive_with_state. The caller rolls the transaction back unless the
  /// result is accepted.
  ReceiveResult join_from_state(storage::WriteTx& tx, const VerifiedPdu& join, const std::vector<std::string>& state_ids,
                                const std::vector<VerifiedPdu>& outliers,
                                const auth::SignatureChecks& signatures) const;

  /// The auth rules' signature checks for events of this server's making.
  auth::SignatureChecks local_signatures() const;

  const std::string& server_name() const { return server_name_; }
  const core::SigningKey& signing_key() const { return signing_key_; }

 private:
  struct Frontier;
  struct PersistAs;
  Frontier frontier(storage::WriteTx& tx, TxEventSource& events, const std::string& room_id,
                    const core::RoomVersion& version) const;
  /// The event without hashes, signatures and (v1/v2) event ID.
  nlohmann::json assemble(const core::RoomVersion& version, const std::string& room_id, const EventDraft& draft,
                          const Frontier& frontier, TxEventSource& events) const;
  nlohmann::json build(const core::RoomVersion& version, const std::string& room_id, const EventDraft& draft,
                       const Frontier& frontier, TxEventSource& events, std::string& event_id) const;
  /// The format and auth phases for a local event; throws RoomError.
  void check_local(TxEventSource& events, const core::RoomVersion& version, const nlohmann::json& pdu,
                   const std::string& event_id, const Frontier& frontier) const;
  PersistedEvent check_and_persist(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                                   const std::string& room_id, nlohmann::json pdu, const std::string& event_id,
                                   const Frontier& frontier) const;
  /// The persist phase: the event, its state group, the frontier, current state and memberships.
  std::int64_t persist(storage::WriteTx& tx, TxEventSource& events, const core::RoomVersion& version,
                       const std::string& room_id, nlohmann::json& pdu, const std::string& event_id,
                       const Frontier& frontier, const PersistAs& as, const auth::SignatureChecks& signatures) const;
  /// Where a received event's state before it comes from: (events, prev event IDs, missing) →
  /// the frontier, or nullopt with `missing` filled.
  using FrontierSource = std::function<std::optional<Frontier>(TxEventSource&, const std::vector<std::string>&,
                                                               std::vector<std::string>&)>;
  /// The receive path from the room lock to persist, with the state before the event from
  /// `frontier_source`.
  ReceiveResult receive_at(storage::WriteTx& tx, TxEventSource& events, const VerifiedPdu& pdu,
                           const auth::SignatureChecks& signatures, const FrontierSource& frontier_source) const;
  /// receive_with_state reading the state's events through `events`.
  ReceiveResult receive_with_state(storage::WriteTx& tx, TxEventSource& events, const VerifiedPdu& pdu,
                                   const std::vector<std::string>& state_ids,
                                   const auth::SignatureChecks& signatures) const;
  /// The state before a received event: its prev events' states, resolved when several.
  /// nullopt (with `missing` filled) when some prev event or its state is unknown.
  std::optional<Frontier> frontier_of(storage::WriteTx& tx, TxEventSource& events, const std::string& room_id,
                                      const core::RoomVersion& version, const std::vector<std::string>& prev_events,
                                      const auth::SignatureChecks& signatures, std::vector<std::string>& missing) const;

  std::string server_name_;
  core::SigningKey signing_key_;
  /// Auth events every send reads again (create, power levels, memberships), kept parsed.
  mutable EventCache events_cache_{2048};
};

}  // namespace ranvier::rooms
