#pragma once
// Bundled aggregations (client-server API, "Aggregations of child events"): when an event is
// served to a client, `unsigned.m.relations` summarises the events relating to it —
// `m.thread` (count, latest event, whether the viewer took part), `m.replace` (the most recent
// valid edit, whole) and `m.reference` (the referencing event IDs). State events get none.

#include "api/context.hpp"
#include "core/room_version.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <vector>

namespace ranvier::api::client_server {

/// Serves a related event (the latest thread event, the newest edit) the way the caller serves
/// events, aggregations included.
using ServeRelated = std::function<nlohmann::json(const storage::StoredEvent&)>;

/// The bundled aggregations of `event` for `viewer`, or null when there are none. `counts` are
/// the event's relation counts for `viewer` when read ahead with its page
/// (storage::EventReads::relation_counts); without them they are read here.
nlohmann::json bundled_aggregations(storage::ReadTx& tx, const storage::StoredEvent& event, const Principal& viewer,
                                    const ServeRelated& serve,
                                    const std::vector<storage::RelationCount>* counts = nullptr);

}  // namespace ranvier::api::client_server
