#pragma once
// Events another server hands over in bulk — the state and auth chain of a send_join answer,
// the state before an event at the end of a gap — are checked like any received PDU and kept
// as outliers: known, but without a place in the room's DAG of their own.

#include "core/auth/event_auth.hpp"
#include "core/room_version.hpp"
#include "rooms/event_pipeline.hpp"
#include "rooms/received_event.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ranvier::federation {
class KeyRing;
}

namespace ranvier::api::server_server {

/// The PDUs of `room_id` among `pdus` that pass the checks on receipt (format, signatures,
/// hashes), each once; the keys they need are fetched first, in parallel across servers.
/// The rest are dropped.
std::vector<rooms::VerifiedPdu> verify_room_pdus(federation::KeyRing& ring, const std::vector<const nlohmann::json*>& pdus,
                                                 const core::RoomVersion& version, const std::string& room_id);

/// Every element of the JSON arrays `lists` that is an object, for verify_room_pdus.
std::vector<const nlohmann::json*> pdus_in(std::initializer_list<const nlohmann::json*> lists);

/// Stores `events` as outliers (EventPipeline::store_outliers), auth events first: by depth (an
/// event's auth events lie in its past; room version 12 does not even list the create event),
/// then round after round for what still lacks an auth event, until nothing moves.
void store_outliers(storage::WriteTx& tx, const rooms::EventPipeline& pipeline,
                    const std::vector<rooms::VerifiedPdu>& events, const auth::SignatureChecks& signatures);

}  // namespace ranvier::api::server_server
