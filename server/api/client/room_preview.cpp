#include "api/client/room_preview.hpp"

#include "api/client/remote_join.hpp"
#include "api/services.hpp"
#include "core/percent_encoding.hpp"
#include "federation/federation_client.hpp"
#include "rooms/event_pipeline.hpp"

namespace ranvier::api::client_server {

Viewer viewer_of(storage::ReadTx& tx, const std::optional<std::string>& user_id, const std::string& room_id) {
  Viewer viewer{user_id, std::nullopt};
  if (user_id) {
    if (auto member = tx.rooms().membership(room_id, *user_id)) {
      viewer.membership = member->membership;
    }
  }
  return viewer;
}

bool may_preview(storage::ReadTx& tx, const nlohmann::json& summary, const Viewer& viewer) {
  if (!summary.is_object()) {
    return false;
  }
  if (viewer.membership == storage::Membership::ban) {
    return false;
  }
  if (viewer.membership == storage::Membership::join || viewer.membership == storage::Membership::invite) {
    return true;
  }
  const auto rule = summary.value("join_rule", std::string("invite"));
  if (rule == "public" || rule == "knock" || rule == "knock_restricted" || summary.value("world_readable", false)) {
    return true;
  }
  if ((rule == "restricted") && viewer.user_id) {
    for (const auto& allowed : summary.value("allowed_room_ids", nlohmann::json::array())) {
      if (!allowed.is_string()) {
        continue;
      }
      auto member = tx.rooms().membership(allowed.get<std::string>(), *viewer.user_id);
      if (member && member->membership == storage::Membership::join) {
        return true;
      }
    }
  }
  return false;
}

std::optional<nlohmann::json> fetch_remote_hierarchy(RequestContext& ctx, const std::string& room_id,
                                                     const std::vector<std::string>& servers, bool suggested_only) {
  if (ctx.services.federation_client == nullptr) {
    return std::nullopt;
  }
  const auto path = "/_matrix/federation/v1/hierarchy/" + core::percent_encode(room_id) +
                    "?suggested_only=" + (suggested_only ? "true" : "false");
  for (const auto& server : remote_candidates(servers, ctx.services.pipeline.server_name())) {
    auto answer = ctx.services.federation_client->get(server, path);
    if (!answer) {
      continue;
    }
    const auto& body = *answer;
    // Only a summary of the room asked about is usable; a server answering for another room
    // (or with no room at all) is skipped like one that did not answer.
    if (body.is_object() && body.contains("room") && body["room"].is_object() &&
        body["room"].value("room_id", std::string()) == room_id) {
      return body;
    }
  }
  return std::nullopt;
}

}  // namespace ranvier::api::client_server
