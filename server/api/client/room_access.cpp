#include "api/client/room_access.hpp"

#include "api/client/bundled_aggregations.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "core/identifiers.hpp"
#include "core/percent_encoding.hpp"
#include "rooms/client_event.hpp"

namespace ranvier::api::client_server {

const core::RoomVersion& room_version(storage::ReadTx& tx, std::string_view room_id) {
  auto room = tx.rooms().get(room_id);
  const core::RoomVersion* version = room ? core::find_room_version(room->room_version) : nullptr;
  if (version == nullptr) {
    throw MatrixError(ErrCode::forbidden, "You are not in the room " + std::string(room_id));
  }
  return *version;
}

storage::RoomMember require_joined(storage::ReadTx& tx, std::string_view room_id, std::string_view user_id) {
  auto member = tx.rooms().membership(room_id, user_id);
  if (!member || member->membership != storage::Membership::join) {
    throw MatrixError(ErrCode::forbidden, std::string(user_id) + " is not in the room " + std::string(room_id));
  }
  return *member;
}

nlohmann::json member_content(storage::ReadTx& tx, std::string_view user_id, std::string_view membership,
                              const std::optional<std::string>& reason) {
  nlohmann::json content = {{"membership", membership}};
  if (auto profile_text = tx.profiles().get(user_id)) {
    auto profile = nlohmann::json::parse(*profile_text, nullptr, false);
    if (profile.is_object()) {
      for (const char* key : {"displayname", "avatar_url"}) {
        if (profile.contains(key) && profile[key].is_string()) {
          content[key] = profile[key];
        }
      }
    }
  }
  if (reason) {
    content["reason"] = *reason;
  }
  return content;
}

namespace {

nlohmann::json serve_with_counts(storage::ReadTx& tx, const storage::StoredEvent& event,
                                 const core::RoomVersion& version, const Principal* viewer,
                                 const std::vector<storage::RelationCount>* counts) {
  std::optional<storage::StoredEvent> redaction;
  if (event.redacted_by) {
    redaction = tx.events().get_row(*event.redacted_by);
  }
  auto served = rooms::client_event(event, version, now_ms(), redaction ? &*redaction : nullptr);
  if (viewer != nullptr && viewer->user_id == event.sender) {
    if (auto txn = tx.rooms().transaction_of_event(viewer->user_id, viewer->device_id, event.event_id)) {
      // Transactions are remembered by their raw request path; the ID is its last segment.
      const auto& path = txn->txn_id;
      if (auto id = core::percent_decode(std::string_view(path).substr(path.rfind('/') + 1))) {
        served["unsigned"]["transaction_id"] = *id;
      }
    }
  }
  if (viewer != nullptr) {
    auto relations = bundled_aggregations(
        tx, event, *viewer,
        [&](const storage::StoredEvent& related) { return serve_event(tx, related, version, viewer); }, counts);
    if (!relations.is_null()) {
      served["unsigned"]["m.relations"] = std::move(relations);
    }
  }
  return served;
}

}  // namespace

nlohmann::json serve_event(storage::ReadTx& tx, const storage::StoredEvent& event, const core::RoomVersion& version,
                           const Principal* viewer) {
  return serve_with_counts(tx, event, version, viewer, nullptr);
}

PageServer::PageServer(storage::ReadTx& tx, const core::RoomVersion& version, const Principal& viewer,
                       std::initializer_list<std::span<const storage::StoredEvent>> pages)
    : tx_(tx), version_(version), viewer_(viewer) {
  const storage::StoredEvent* first = nullptr;
  std::vector<std::string> ids;
  for (const auto& page : pages) {
    for (const auto& event : page) {
      first = first != nullptr ? first : &event;
      if (event.room_id == first->room_id) {
        ids.push_back(event.event_id);
      }
    }
  }
  if (first == nullptr) {
    return;
  }
  counts_ = tx.events().relation_counts(first->room_id, ids, viewer.user_id);
  // Events read ahead without relations are known to have none.
  for (const auto& id : ids) {
    counts_.try_emplace(id);
  }
}

nlohmann::json PageServer::serve(const storage::StoredEvent& event) const {
  const auto found = counts_.find(event.event_id);
  return serve_with_counts(tx_, event, version_, &viewer_, found == counts_.end() ? nullptr : &found->second);
}

std::string checked_user_id(const std::string& user_id) {
  if (!core::parse_user_id(user_id)) {
    throw MatrixError(ErrCode::invalid_param, "Not a valid user ID: " + user_id);
  }
  return user_id;
}

rooms::PersistedEvent change_membership(RequestContext& ctx, const std::string& room_id, const std::string& target,
                                        std::string_view membership, const std::optional<std::string>& reason,
                                        nlohmann::json extra) {
  const std::string& sender = ctx.principal->user_id;
  return write_and_notify(ctx, [&](storage::WriteTx& tx) {
    room_version(tx, room_id);
    // Joins and invites carry the target's profile; kicks, bans and unbans only the change.
    const bool with_profile = membership == "join" || membership == "invite" || membership == "knock";
    auto content = with_profile ? member_content(tx, target, membership, reason)
                                : nlohmann::json{{"membership", membership}};
    if (!with_profile && reason) {
      content["reason"] = *reason;
    }
    for (auto& [key, value] : extra.items()) {
      content[key] = value;
    }
    rooms::EventDraft draft{.type = "m.room.member", .sender = sender, .state_key = target, .content = content};
    return ctx.services.pipeline.send(tx, room_id, draft);
  });
}

}  // namespace ranvier::api::client_server
