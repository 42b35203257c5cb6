// GET /_matrix/client/v1/mutual_rooms (client-server API, "Mutual rooms"):
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1mutual_rooms
// The rooms both the caller and another user have joined, by room ID, in pages. A page token
// is the last room ID of the previous page; the membership table answers for users of other
// servers too, since it records every member of every room this server is in.

#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "core/identifiers.hpp"
#include "storage/database.hpp"

#include <algorithm>
#include <iterator>

namespace ranvier::api::client_server {
namespace {

constexpr std::size_t page_size = 100;
constexpr std::string_view token_prefix = "after_";

}  // namespace

ApiResponse getMutualRooms(RequestContext& ctx, const GetMutualRoomsRequest& req) {
  const auto& me = ctx.principal->user_id;
  if (!core::is_valid_user_id(req.user_id)) {
    throw MatrixError(ErrCode::invalid_param, "Not a user ID: " + req.user_id);
  }
  if (req.user_id == me) {
    throw MatrixError(ErrCode::invalid_param, "user_id must be another user than the caller");
  }
  std::string after;
  if (req.from) {
    if (!req.from->starts_with(token_prefix) || req.from->size() == token_prefix.size()) {
      throw MatrixError(ErrCode::invalid_param, "Unknown pagination token");
    }
    after = req.from->substr(token_prefix.size());
  }
  auto mutual = ctx.services.database.read([&](storage::ReadTx& tx) {
    auto ids = [&](const std::string& user) {
      std::vector<std::string> rooms;
      for (const auto& member : tx.rooms().rooms_for_user(user, storage::Membership::join)) {
        rooms.push_back(member.room_id);
      }
      return rooms;  // ordered by room ID
    };
    const auto mine = ids(me);
    const auto theirs = ids(req.user_id);
    std::vector<std::string> both;
    std::set_intersection(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(both));
    return both;
  });
  const auto start = std::upper_bound(mutual.begin(), mutual.end(), after);
  const auto count = static_cast<std::size_t>(std::distance(start, mutual.end()));
  const auto end = start + static_cast<std::ptrdiff_t>(std::min(count, page_size));
  nlohmann::json body{{"joined", std::vector<std::string>(start, end)}, {"count", mutual.size()}};
  if (end != mutual.end()) {
    body["next_batch"] = std::string(token_prefix) + *(end - 1);
  }
  return json_response(body);
}

}  // namespace ranvier::api::client_server
