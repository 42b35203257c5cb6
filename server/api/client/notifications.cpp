// GET /notifications (client-server API, "Push Notifications: Receiving notifications",
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3notifications): the
// events the caller's push rules notified for, newest first, with whether a receipt has
// covered them yet. `from` is the stream position to continue below.

#include "api/client/room_access.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"

#include <charconv>
#include <map>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t default_limit = 50;
constexpr std::size_t max_limit = 1000;

std::optional<std::int64_t> parse_from(const std::optional<std::string>& from) {
  if (!from) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto* end = from->data() + from->size();
  auto [ptr, ec] = std::from_chars(from->data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) {
    throw MatrixError(ErrCode::invalid_param, "Unknown from token");
  }
  return value;
}

}  // namespace

ApiResponse getNotifications(RequestContext& ctx, const GetNotificationsRequest& req) {
  if (req.limit && *req.limit < 0) {
    throw MatrixError(ErrCode::invalid_param, "limit must not be negative");
  }
  const std::size_t limit = std::min(req.limit ? static_cast<std::size_t>(*req.limit) : default_limit, max_limit);
  const auto before = parse_from(req.from);
  const bool highlights_only = req.only == "highlight";
  const auto& user = ctx.principal->user_id;

  auto body = ctx.services.database.read([&](storage::ReadTx& tx) {
    // Rooms the user left keep their notifications.
    std::vector<std::string> rooms;
    for (auto membership : {storage::Membership::join, storage::Membership::leave, storage::Membership::ban}) {
      for (const auto& member : tx.rooms().rooms_for_user(user, membership)) {
        rooms.push_back(member.room_id);
      }
    }
    const auto rows = limit == 0 ? std::vector<storage::Notification>{}
                                 : tx.notifications().list(user, rooms, before, limit, highlights_only);
    std::vector<std::string> ids;
    for (const auto& row : rows) {
      ids.push_back(row.event_id);
    }
    std::map<std::string, storage::StoredEvent> events;
    for (auto& event : tx.events().get_many(ids)) {
      events.emplace(event.event_id, std::move(event));
    }
    auto out = nlohmann::json::array();
    for (const auto& row : rows) {
      auto event = events.find(row.event_id);
      if (event == events.end()) {
        continue;
      }
      const auto& version = room_version(tx, row.room_id);
      out.push_back({{"actions", nlohmann::json::parse(row.actions)},
                     {"event", serve_event(tx, event->second, version)},
                     {"read", !row.unread},
                     {"room_id", row.room_id},
                     {"ts", row.ts}});
    }
    nlohmann::json response = {{"notifications", out}};
    if (!rows.empty() && rows.size() == limit) {
      response["next_token"] = std::to_string(rows.back().stream);
    }
    return response;
  });
  return json_response(body);
}

}  // namespace ranvier::api::client_server
