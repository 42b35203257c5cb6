// PUT /_matrix/federation/v1/send/{txnId} (server-server API, "Transactions"):
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv1sendtxnid
// PDUs go through the receive path (signatures and hashes checked before the write
// transaction), EDUs through the typing, receipt, presence and to-device code; everything the
// transaction writes, and the answer, is committed together, so a retry with the same ID gets
// the same answer and changes nothing.

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/federation/edus.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/federation/outliers.hpp"
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/event.hpp"
#include "core/percent_encoding.hpp"
#include "federation/federation_client.hpp"
#include "rooms/event_pipeline.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace ranvier::api::server_server {
namespace {

/// The spec's limits on one transaction.
constexpr std::size_t max_pdus = 50;
constexpr std::size_t max_edus = 100;
/// How many earlier events one /get_missing_events asks for, and how far below the PDU's
/// depth it looks: small gaps (a few lost transactions) are filled, long ones are not chased.
constexpr std::int64_t missing_events_limit = 100;
/// PDUs of one transaction whose gaps are closed by asking for the state before them: each
/// costs a request to the origin, so a transaction of strays cannot make us ask 50 times.
constexpr std::size_t max_gaps_per_transaction = 10;

/// One PDU of the transaction on its way through the receive path.
struct Incoming {
  std::string event_id;
  /// Set when the checks before the write transaction passed.
  std::optional<rooms::VerifiedPdu> verified;
  /// Set when the PDU failed already.
  std::optional<std::string> error;
  /// Fetched to fill a gap, not part of the transaction: processed, but not answered for.
  bool fetched = false;
};

/// The ID a PDU would have, for reporting it when its room is unknown (the format of recent
/// room versions is assumed: without the room, the version is unknown too).
std::string guessed_event_id(const nlohmann::json& pdu) {
  if (pdu.is_object() && pdu.contains("event_id") && pdu["event_id"].is_string()) {
    return pdu["event_id"].get<std::string>();
  }
  static const auto* recent = core::find_room_version("11");
  return core::event_id_of(pdu, *recent).value_or("");
}

/// The room's version, when this server is in the room and its ACL admits the origin.
struct RoomCheck {
  const core::RoomVersion* version = nullptr;
  std::string error;
};

std::map<std::string, RoomCheck> check_rooms(RequestContext& ctx, const nlohmann::json& pdus, const std::string& origin) {
  std::map<std::string, RoomCheck> rooms;
  ctx.services.database.read([&](storage::ReadTx& tx) {
    for (const auto& pdu : pdus) {
      if (!pdu.is_object() || !pdu.contains("room_id") || !pdu["room_id"].is_string()) {
        continue;
      }
      const auto room_id = pdu["room_id"].get<std::string>();
      if (rooms.contains(room_id)) {
        continue;
      }
      RoomCheck check;
      try {
        check.version = &open_room(tx, room_id, origin, false);
      } catch (const MatrixError& e) {
        check.error = e.what();
      }
      rooms.emplace(room_id, std::move(check));
    }
  });
  return rooms;
}

std::vector<Incoming> verify_pdus(RequestContext& ctx, const nlohmann::json& pdus, const std::string& origin) {
  const auto rooms = check_rooms(ctx, pdus, origin);
  KeyRingLookup keys(key_ring_of(ctx));
  std::vector<Incoming> out;
  for (const auto& pdu : pdus) {
    Incoming item;
    const auto room_id = pdu.is_object() ? pdu.value("room_id", "") : "";
    const auto room = rooms.find(room_id);
    if (room == rooms.end() || room->second.version == nullptr) {
      item.event_id = guessed_event_id(pdu);
      item.error = room == rooms.end() ? "The PDU names no room" : room->second.error;
    } else {
      auto result = rooms::verify_received(pdu, *room->second.version, keys);
      item.event_id = result.event_id.empty() ? guessed_event_id(pdu) : result.event_id;
      if (result.verified) {
        item.verified = std::move(result.verified);
      } else {
        item.error = std::string(rooms::to_string(result.status)) + ": " + result.reason;
      }
    }
    if (!item.event_id.empty()) {
      out.push_back(std::move(item));
    }
  }
  return out;
}

/// The prev events of verified PDUs this server has no state for (not stored, outliers),
/// leaving out PDUs of the same batch.
std::set<std::string> unknown_prev_events(RequestContext& ctx, const std::vector<Incoming>& batch) {
  std::set<std::string> in_batch;
  std::vector<std::string> prevs;
  for (const auto& item : batch) {
    if (item.verified) {
      in_batch.insert(item.event_id);
      for (const auto& ref : item.verified->pdu["prev_events"]) {
        prevs.push_back(ref.is_array() && !ref.empty() ? ref[0].get<std::string>() : ref.get<std::string>());
      }
    }
  }
  std::set<std::string> unknown;
  ctx.services.database.read([&](storage::ReadTx& tx) {
    for (const auto& id : prevs) {
      if (!in_batch.contains(id) && !tx.state().event_state_group(id)) {
        unknown.insert(id);
      }
    }
  });
  return unknown;
}

/// Fills gaps before the batch's PDUs from the origin (server-server API, "Backfilling and
/// retrieving missing events"): POST /get_missing_events with the room's forward extremities as
/// the earliest events. What comes back is checked like any PDU and goes first, oldest first.
/// A failed request leaves the gap, which then shows in the PDU's result.
void fetch_missing_events(RequestContext& ctx, const std::string& origin, std::vector<Incoming>& batch) {
  if (ctx.services.federation_client == nullptr || unknown_prev_events(ctx, batch).empty()) {
    return;
  }
  std::map<std::string, std::vector<const Incoming*>> by_room;
  for (const auto& item : batch) {
    if (item.verified) {
      by_room[item.verified->room_id].push_back(&item);
    }
  }
  KeyRingLookup keys(key_ring_of(ctx));
  std::vector<Incoming> fetched;
  for (const auto& [room_id, items] : by_room) {
    auto extremities =
        ctx.services.database.read([&](storage::ReadTx& tx) { return tx.rooms().forward_extremities(room_id); });
    std::int64_t depth = 0;
    auto latest = nlohmann::json::array();
    for (const auto* item : items) {
      latest.push_back(item->event_id);
      depth = std::max(depth, item->verified->pdu.value("depth", std::int64_t{0}));
    }
    const nlohmann::json request = {{"earliest_events", extremities},
                                    {"latest_events", latest},
                                    {"limit", missing_events_limit},
                                    {"min_depth", std::max<std::int64_t>(0, depth - missing_events_limit)}};
    auto answer = ctx.services.federation_client->post(
        origin, "/_matrix/federation/v1/get_missing_events/" + core::percent_encode(room_id), request);
    if (!answer || !answer->contains("events") || !(*answer)["events"].is_array()) {
      std::fprintf(stderr, "ranvier: get_missing_events from %s for %s failed%s\n", origin.c_str(), room_id.c_str(),
                   answer ? ": no events" : (": " + federation::describe(answer.error())).c_str());
      continue;
    }
    const auto& version = *items.front()->verified->version;
    for (const auto& pdu : (*answer)["events"]) {
      auto result = rooms::verify_received(pdu, version, keys);
      if (result.verified && result.verified->room_id == room_id) {
        fetched.push_back(Incoming{result.event_id, std::move(result.verified), std::nullopt});
      }
    }
  }
  std::sort(fetched.begin(), fetched.end(), [](const Incoming& a, const Incoming& b) {
    return a.verified->pdu.value("depth", std::int64_t{0}) < b.verified->pdu.value("depth", std::int64_t{0});
  });
  for (auto& item : fetched) {
    item.fetched = true;
  }
  batch.insert(batch.begin(), std::make_move_iterator(fetched.begin()), std::make_move_iterator(fetched.end()));
}

/// A PDU whose gap get_missing_events could not close (it reaches back past what this server
/// has state for): the origin gives the state before the PDU (GET /state?event_id), whose
/// events are checked and stored as outliers, and the PDU is judged against that state.
rooms::ReceiveResult receive_across_gap(RequestContext& ctx, const std::string& origin, const rooms::VerifiedPdu& pdu) {
  auto answer = ctx.services.federation_client->get(
      origin, "/_matrix/federation/v1/state/" + core::percent_encode(pdu.room_id) +
                  "?event_id=" + core::percent_encode(pdu.event_id));
  if (!answer) {
    rooms::ReceiveResult r;
    r.status = rooms::ReceiveStatus::missing_prev_events;
    r.event_id = pdu.event_id;
    r.reason = "The state before the event is unknown and " + origin + " did not give it: " +
               federation::describe(answer.error());
    return r;
  }
  const auto* state = answer->contains("pdus") ? &(*answer)["pdus"] : nullptr;
  const auto* auth_chain = answer->contains("auth_chain") ? &(*answer)["auth_chain"] : nullptr;
  auto& ring = key_ring_of(ctx);
  auto outliers = verify_room_pdus(ring, pdus_in({auth_chain, state}), *pdu.version, pdu.room_id);
  std::vector<std::string> state_ids;
  for (const auto* event : pdus_in({state})) {
    state_ids.push_back(core::event_id_of(*event, *pdu.version).value_or(event->value("event_id", "")));
  }
  KeyRingLookup keys(ring);
  const auto checks = rooms::received_signature_checks(ctx.services.identity.server_name, *pdu.version, keys);
  return client_server::write_and_notify(ctx, [&](storage::WriteTx& tx) {
    store_outliers(tx, ctx.services.pipeline, outliers, checks);
    return ctx.services.pipeline.receive_with_state(tx, pdu, state_ids, checks);
  });
}

nlohmann::json pdu_result(const rooms::ReceiveResult& result) {
  switch (result.status) {
    case rooms::ReceiveStatus::accepted:
    case rooms::ReceiveStatus::soft_failed:
    case rooms::ReceiveStatus::already_known:
      return nlohmann::json::object();
    default: {
      std::string text = std::string(rooms::to_string(result.status)) + ": " + result.reason;
      for (const auto& id : result.missing) {
        text += " " + id;
      }
      return {{"error", text}};
    }
  }
}

}  // namespace

ApiResponse sendTransaction(RequestContext& ctx, const SendTransactionRequest& req) {
  const auto& origin = origin_of(ctx);
  if (req.origin != origin) {
    throw MatrixError(ErrCode::forbidden, "The transaction's origin is not the server that signed the request");
  }
  if (!req.pdus.is_array() || req.pdus.size() > max_pdus) {
    throw MatrixError(ErrCode::bad_json, "A transaction carries at most 50 PDUs");
  }
  const auto edus = req.edus.value_or(nlohmann::json::array());
  if (!edus.is_array() || edus.size() > max_edus) {
    throw MatrixError(ErrCode::bad_json, "A transaction carries at most 100 EDUs");
  }
  auto seen = ctx.services.database.read(
      [&](storage::ReadTx& tx) { return tx.federation_inbox().transaction_response(origin, req.txn_id); });
  if (seen) {
    return json_response(nlohmann::json::parse(*seen));
  }

  auto incoming = verify_pdus(ctx, req.pdus, origin);
  fetch_missing_events(ctx, origin, incoming);
  KeyRingLookup keys(key_ring_of(ctx));
  const auto& own = ctx.services.identity.server_name;
  AfterCommit after;
  std::vector<const Incoming*> gaps;
  auto body = client_server::write_and_notify(ctx, [&](storage::WriteTx& tx) {
    after.clear();
    gaps.clear();
    auto results = nlohmann::json::object();
    for (const auto& item : incoming) {
      if (item.error) {
        results[item.event_id] = {{"error", *item.error}};
        continue;
      }
      const auto checks = rooms::received_signature_checks(own, *item.verified->version, keys);
      const auto received = ctx.services.pipeline.receive(tx, *item.verified, checks);
      if (received.status == rooms::ReceiveStatus::missing_prev_events) {
        gaps.push_back(&item);
      }
      if (!item.fetched) {
        results[item.event_id] = pdu_result(received);
      }
    }
    for (const auto& edu : edus) {
      apply_edu(ctx, tx, origin, edu, after);
    }
    nlohmann::json answer = {{"pdus", std::move(results)}};
    if (tx.federation_inbox().record_transaction(
            {.origin = origin, .txn_id = req.txn_id, .response = answer.dump(), .received_ts = now_ms()}) ==
        storage::CreateResult::exists) {
      // The same transaction ran concurrently and won: its answer stands, this one rolls back.
      throw MatrixError(ErrCode::unknown, "Transaction " + req.txn_id + " is being processed already");
    }
    return answer;
  });
  for (const auto& apply : after) {
    apply();
  }
  if (!after.empty()) {
    ctx.services.notifier.notify();
  }
  // Second pass, after the commit so that no request to the origin runs inside the write
  // transaction: oldest first, each PDU is tried again (a gap closed for an earlier one may
  // have closed its own), and only then, within a budget, judged against the state before it
  // from the origin. Fetched events count too: dropping them would lose those messages. The
  // stored answer (for a repeated transaction ID) keeps the first verdict.
  std::stable_sort(gaps.begin(), gaps.end(), [](const Incoming* a, const Incoming* b) {
    return a->verified->pdu.value("depth", std::int64_t{0}) < b->verified->pdu.value("depth", std::int64_t{0});
  });
  std::size_t state_fetches = 0;
  for (const auto* gap : gaps) {
    const auto checks = rooms::received_signature_checks(own, *gap->verified->version, keys);
    auto result = client_server::write_and_notify(
        ctx, [&](storage::WriteTx& tx) { return ctx.services.pipeline.receive(tx, *gap->verified, checks); });
    if (result.status == rooms::ReceiveStatus::missing_prev_events && state_fetches < max_gaps_per_transaction) {
      ++state_fetches;
      result = receive_across_gap(ctx, origin, *gap->verified);
    }
    if (!gap->fetched) {
      body["pdus"][gap->event_id] = pdu_result(result);
    }
  }
  return json_response(body);
}

}  // namespace ranvier::api::server_server
