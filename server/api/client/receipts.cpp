// POST /rooms/{roomId}/receipt/{receiptType}/{eventId} and POST /rooms/{roomId}/read_markers
// (client-server API, "Receipts", "Fully read markers"). Receipts are stored per room, user,
// type and thread and reach /sync as m.receipt; the fully-read marker is the room account data
// m.fully_read.

#include "api/client/room_access.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "core/identifiers.hpp"
#include "rooms/federation_fanout.hpp"

namespace ranvier::api::client_server {
namespace {

/// The event must be one of the room's (a receipt for something else would point nowhere);
/// returns its stream position.
std::int64_t check_event_in_room(storage::ReadTx& tx, const std::string& room_id, const std::string& event_id) {
  auto event = tx.events().get_row(event_id);
  if (!event || event->room_id != room_id) {
    throw MatrixError(ErrCode::not_found, "No event " + event_id + " in the room");
  }
  return event->stream;
}

void put_receipt(RequestContext& ctx, storage::WriteTx& tx, const std::string& room_id, const std::string& type,
                 const std::string& event_id, const std::string& thread_id) {
  const auto stream = check_event_in_room(tx, room_id, event_id);
  // Reading up to an event reads the notifications up to it (in its thread, when threaded).
  tx.notifications().mark_read(ctx.principal->user_id, room_id, thread_id, stream);
  const auto ts = now_ms();
  tx.receipts().put({.room_id = room_id,
                     .user_id = ctx.principal->user_id,
                     .receipt_type = type,
                     .thread_id = thread_id,
                     .event_id = event_id,
                     .ts = ts});
  if (type != "m.read.private") {
    // Public receipts reach the room's other servers (server-server API, "Receipts").
    nlohmann::json data{{"ts", ts}};
    if (!thread_id.empty()) {
      data["thread_id"] = thread_id;
    }
    nlohmann::json receipt{{"event_ids", {event_id}}, {"data", std::move(data)}};
    rooms::queue_edu_for_room_servers(
        tx, room_id,
        {{"edu_type", "m.receipt"}, {"content", {{room_id, {{type, {{ctx.principal->user_id, std::move(receipt)}}}}}}}},
        ctx.services.pipeline.server_name());
  }
}

void put_fully_read(RequestContext& ctx, storage::WriteTx& tx, const std::string& room_id,
                    const std::string& event_id) {
  check_event_in_room(tx, room_id, event_id);
  tx.account_data().put(ctx.principal->user_id, room_id, "m.fully_read",
                        nlohmann::json{{"event_id", event_id}}.dump());
}

}  // namespace

ApiResponse postReceipt(RequestContext& ctx, const PostReceiptRequest& req) {
  const auto& type = req.receipt_type;
  if (type != "m.read" && type != "m.read.private" && type != "m.fully_read") {
    throw MatrixError(ErrCode::invalid_param, "Unknown receipt type " + type);
  }
  std::string thread_id = req.thread_id.value_or("");
  if (req.thread_id && (thread_id.empty() || (thread_id != "main" && !core::is_valid_event_id(thread_id)))) {
    throw MatrixError(ErrCode::invalid_param, "thread_id must be \"main\" or an event ID");
  }
  if (type == "m.fully_read" && req.thread_id) {
    throw MatrixError(ErrCode::invalid_param, "m.fully_read cannot be threaded");
  }
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    room_version(tx, req.room_id);
    require_joined(tx, req.room_id, ctx.principal->user_id);
    if (type == "m.fully_read") {
      put_fully_read(ctx, tx, req.room_id, req.event_id);
    } else {
      put_receipt(ctx, tx, req.room_id, type, req.event_id, thread_id);
    }
  });
  return json_response(nlohmann::json::object());
}

ApiResponse setReadMarker(RequestContext& ctx, const SetReadMarkerRequest& req) {
  write_and_notify(ctx, [&](storage::WriteTx& tx) {
    room_version(tx, req.room_id);
    require_joined(tx, req.room_id, ctx.principal->user_id);
    if (req.m_fully_read) {
      put_fully_read(ctx, tx, req.room_id, *req.m_fully_read);
    }
    if (req.m_read) {
      put_receipt(ctx, tx, req.room_id, "m.read", *req.m_read, "");
    }
    if (req.m_read_private) {
      put_receipt(ctx, tx, req.room_id, "m.read.private", *req.m_read_private, "");
    }
  });
  return json_response(nlohmann::json::object());
}

}  // namespace ranvier::api::client_server
