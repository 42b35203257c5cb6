// PUT /rooms/{roomId}/send/{eventType}/{txnId} and PUT /rooms/{roomId}/redact/{eventId}/{txnId}
// (client-server API, "Sending events to a room", "Redactions", "Transaction identifiers").
// A transaction ID is scoped to the device and the endpoint: the request path (which holds
// room, type and ID) is what is remembered, so a retry returns the first event.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "core/auth/power_levels.hpp"
#include "core/base64.hpp"
#include "core/sha256.hpp"
#include "rooms/errors.hpp"
#include "rooms/state_content.hpp"
#include "rooms/history_visibility.hpp"

namespace ranvier::api::client_server {
namespace {

/// Sends `draft` once per (device, request path): a retried request gets the first event ID.
std::string send_once(RequestContext& ctx, const std::string& room_id, const rooms::EventDraft& draft,
                      const std::function<void(storage::WriteTx&)>& extra_checks = {}) {
  const auto& principal = *ctx.principal;
  const std::string& txn_key = ctx.request.path;
  const std::string digest = core::base64_encode(core::as_bytes(core::sha256(ctx.request.body)));
  return write_and_notify(ctx, [&](storage::WriteTx& tx) {
    // Concurrent retries take turns on the room's row, so a retry waiting here sees the first
    // attempt's transaction once that commits (PostgreSQL writes run at READ COMMITTED).
    const core::RoomVersion* version = nullptr;
    try {
      version = &ctx.services.pipeline.lock_room(tx, room_id);
    } catch (const rooms::RoomError&) {
      room_version(tx, room_id);  // the same refusal as for rooms one is not in
      throw;
    }
    if (auto earlier = tx.rooms().transaction(principal.user_id, principal.device_id, txn_key)) {
      return earlier->event_id;
    }
    require_joined(tx, room_id, principal.user_id);
    if (extra_checks) {
      extra_checks(tx);
    }
    auto sent = ctx.services.pipeline.send_locked(tx, room_id, *version, draft);
    if (tx.rooms().record_transaction({principal.user_id, principal.device_id, txn_key, room_id, sent.event_id,
                                       digest}) == storage::CreateResult::exists) {
      // Lost a race the room lock did not cover: undo this event rather than send twice.
      throw MatrixError(ErrCode::limit_exceeded, "The same transaction is being sent concurrently; retry",
                        nlohmann::json{{"retry_after_ms", 100}});
    }
    return sent.event_id;
  });
}

/// Spec ("Threading" → "Validation of m.thread relationships"): a thread cannot start from an
/// event that itself relates to another (threads do not nest); 400 M_UNKNOWN, as the spec asks
/// for want of a specific code.
void check_thread_root(storage::ReadTx& tx, const nlohmann::json& content) {
  const auto relation = content.find("m.relates_to");
  if (relation == content.end() || !relation->is_object() || relation->value("rel_type", nlohmann::json()) != "m.thread" ||
      !relation->contains("event_id") || !(*relation)["event_id"].is_string()) {
    return;
  }
  auto root = tx.events().get_row((*relation)["event_id"].get<std::string>());
  if (root && root->rel_type && !root->rel_type->empty()) {
    throw MatrixError(ErrCode::unknown, "Cannot start a thread from an event that relates to another (" +
                                            *root->rel_type + ")");
  }
}

/// An event in client format if the caller may see it: in `room_id` when one is given, in the
/// room's timeline, visible by history visibility. M_NOT_FOUND otherwise, as for unknown IDs.
ApiResponse visible_event(RequestContext& ctx, const std::optional<std::string>& room_id, const std::string& event_id) {
  auto event = ctx.services.database.read([&](storage::ReadTx& tx) -> std::optional<nlohmann::json> {
    auto stored = tx.events().get_row(event_id);
    if (!stored || (room_id && stored->room_id != *room_id) || stored->outlier || stored->rejected() ||
        stored->soft_failed) {
      return std::nullopt;
    }
    rooms::HistoryVisibility visibility(tx, stored->room_id, ctx.principal->user_id);
    if (!visibility.may_see(*stored)) {
      return std::nullopt;
    }
    return serve_event(tx, *stored, room_version(tx, stored->room_id), &*ctx.principal);
  });
  if (!event) {
    throw MatrixError(ErrCode::not_found, "Event not found");
  }
  return json_response(*event);
}

}  // namespace

ApiResponse sendMessage(RequestContext& ctx, const SendMessageRequest& req) {
  if (!req.body.is_object()) {
    throw MatrixError(ErrCode::bad_json, "The event content must be an object");
  }
  rooms::EventDraft draft{.type = req.event_type, .sender = ctx.principal->user_id, .content = req.body};
  return json_response({{"event_id", send_once(ctx, req.room_id, draft, [&](storage::WriteTx& tx) {
                           check_thread_root(tx, req.body);
                         })}});
}

ApiResponse redactEvent(RequestContext& ctx, const RedactEventRequest& req) {
  nlohmann::json content = nlohmann::json::object();
  if (req.reason) {
    content["reason"] = *req.reason;
  }
  rooms::EventDraft draft{.type = "m.room.redaction", .sender = ctx.principal->user_id, .content = content,
                          .redacts = req.event_id};
  auto check_may_redact = [&](storage::WriteTx& tx) {
    auto target = tx.events().get_row(req.event_id);
    if (!target || target->room_id != req.room_id) {
      throw MatrixError(ErrCode::not_found, "No such event in the room");
    }
    if (target->sender == ctx.principal->user_id) {
      return;
    }
    // The auth rules let anyone allowed to send m.room.redaction through (v3+) and leave the
    // `redact` level to the servers showing the event: this server checks it when accepting.
    const auto& version = room_version(tx, req.room_id);
    rooms::TxEventSource events(tx);
    auto levels = rooms::current_power_levels(tx, events, req.room_id, version);
    if (!levels) {
      throw MatrixError(ErrCode::forbidden, "The room has no create event");
    }
    if (levels->user_level(ctx.principal->user_id) < levels->named_level("redact")) {
      throw MatrixError(ErrCode::forbidden, "You may not redact other users' events");
    }
  };
  return json_response({{"event_id", send_once(ctx, req.room_id, draft, check_may_redact)}});
}

ApiResponse getOneRoomEvent(RequestContext& ctx, const GetOneRoomEventRequest& req) {
  return visible_event(ctx, req.room_id, req.event_id);
}

/// GET /_matrix/client/v3/events/{eventId} (deprecated; client-server API, "Getting events for
/// a room"): the same answer without naming the room.
ApiResponse getOneEvent(RequestContext& ctx, const GetOneEventRequest& req) {
  return visible_event(ctx, std::nullopt, req.event_id);
}

}  // namespace ranvier::api::client_server
