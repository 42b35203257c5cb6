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
#include "api/handlers_server_server.hpp"
#include "api/json_response.hpp"
#include "api/server_identity.hpp"
#include "api/services.hpp"
#include "core/event.hpp"
#include "rooms/event_pipeline.hpp"

#include <map>

namespace ranvier::api::server_server {
namespace {

/// The spec's limits on one transaction.
constexpr std::size_t max_pdus = 50;
constexpr std::size_t max_edus = 100;

/// One PDU of the transaction on its way through the receive path.
struct Incoming {
  std::string event_id;
  /// Set when the checks before the write transaction passed.
  std::optional<rooms::VerifiedPdu> verified;
  /// Set when the PDU failed already.
  std::optional<std::string> error;
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
  KeyRingLookup keys(key_ring_of(ctx));
  const auto& own = ctx.services.identity.server_name;
  AfterCommit after;
  auto body = client_server::write_and_notify(ctx, [&](storage::WriteTx& tx) {
    after.clear();
    auto results = nlohmann::json::object();
    for (const auto& item : incoming) {
      if (item.error) {
        results[item.event_id] = {{"error", *item.error}};
        continue;
      }
      const auto checks = rooms::received_signature_checks(own, *item.verified->version, keys);
      results[item.event_id] = pdu_result(ctx.services.pipeline.receive(tx, *item.verified, checks));
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
  return json_response(body);
}

}  // namespace ranvier::api::server_server
