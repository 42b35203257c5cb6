#include "appservice/ephemeral.hpp"

#include "rooms/presence_sharing.hpp"

#include <set>

namespace ranvier::appservice {

const RoomFacts& facts_of(storage::ReadTx& tx, std::map<std::string, RoomFacts>& cache, const std::string& room_id) {
  auto [it, inserted] = cache.try_emplace(room_id);
  if (inserted) {
    it->second.aliases = tx.rooms().aliases_of(room_id);
    for (auto membership : {storage::Membership::join, storage::Membership::invite}) {
      for (const auto& member : tx.rooms().members(room_id, membership)) {
        it->second.members.push_back(member.user_id);
      }
    }
  }
  return it->second;
}

bool interested_in_room(const Registry& registry, const Registration& service, const std::string& room_id,
                        const RoomFactsOf& facts_of_room) {
  const auto& facts = facts_of_room(room_id);
  return registry.interested(service, EventFacts{"", std::nullopt, room_id, &facts.aliases, &facts.members});
}

nlohmann::json receipt_edus(const Registry& registry, const Registration& service,
                            const std::vector<storage::StreamedReceipt>& receipts, const RoomFactsOf& facts_of_room) {
  std::map<std::string, nlohmann::json> by_room;
  for (const auto& receipt : receipts) {
    if (!interested_in_room(registry, service, receipt.room_id, facts_of_room)) {
      continue;
    }
    if (receipt.receipt_type == "m.read.private" && !registry.covers_local_user(service, receipt.user_id)) {
      continue;
    }
    nlohmann::json entry = {{"ts", receipt.ts}};
    if (!receipt.thread_id.empty()) {
      entry["thread_id"] = receipt.thread_id;
    }
    by_room[receipt.room_id][receipt.event_id][receipt.receipt_type][receipt.user_id] = std::move(entry);
  }
  auto edus = nlohmann::json::array();
  for (auto& [room_id, content] : by_room) {
    edus.push_back({{"type", "m.receipt"}, {"room_id", room_id}, {"content", std::move(content)}});
  }
  return edus;
}

nlohmann::json typing_edus(const Registry& registry, const Registration& service, const rooms::Typing& typing,
                           const std::vector<std::string>& rooms, const RoomFactsOf& facts_of_room) {
  auto edus = nlohmann::json::array();
  for (const auto& room_id : rooms) {
    if (interested_in_room(registry, service, room_id, facts_of_room)) {
      edus.push_back(
          {{"type", "m.typing"}, {"room_id", room_id}, {"content", {{"user_ids", typing.typing_in(room_id)}}}});
    }
  }
  return edus;
}

std::vector<std::string> presence_audience(storage::ReadTx& tx, const Registry& registry,
                                           const Registration& service) {
  std::set<std::string> audience;
  storage::UserQuery query;
  query.limit = 500;
  while (true) {
    const auto page = tx.admin().users(query);
    for (const auto& user_id : page.user_ids) {
      if (!registry.covers_local_user(service, user_id) || !audience.insert(user_id).second) {
        continue;
      }
      for (const auto& room : tx.rooms().rooms_for_user(user_id, storage::Membership::join)) {
        for (const auto& member : tx.rooms().members(room.room_id, storage::Membership::join)) {
          audience.insert(member.user_id);
        }
      }
    }
    if (page.user_ids.size() < query.limit) {
      break;
    }
    query.offset += static_cast<std::int64_t>(page.user_ids.size());
  }
  return {audience.begin(), audience.end()};
}

nlohmann::json presence_edus(const std::vector<std::pair<std::string, rooms::PresenceState>>& changes,
                             std::int64_t now_ms) {
  auto edus = nlohmann::json::array();
  for (const auto& [user_id, state] : changes) {
    auto content = rooms::presence_push_entry(user_id, state, now_ms);
    content.erase("user_id");
    edus.push_back({{"type", "m.presence"}, {"sender", user_id}, {"content", std::move(content)}});
  }
  return edus;
}

}  // namespace ranvier::appservice
