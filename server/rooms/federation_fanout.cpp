#include "rooms/federation_fanout.hpp"

#include "rooms/notifier.hpp"

#include <algorithm>
#include <set>

namespace ranvier::rooms {
namespace {

std::string_view server_of(std::string_view user_id) {
  const auto colon = user_id.find(':');
  return colon == std::string_view::npos ? std::string_view{} : user_id.substr(colon + 1);
}

}  // namespace

std::vector<std::string> fanout_destinations(storage::ReadTx& tx, const nlohmann::json& pdu, std::string_view own_server,
                                             std::string_view except,
                                             std::optional<std::vector<std::string>> joined_servers) {
  auto servers = joined_servers ? std::move(*joined_servers) : tx.rooms().joined_servers(pdu.value("room_id", std::string()));
  if (pdu.value("type", std::string()) == "m.room.member") {
    if (const auto it = pdu.find("state_key"); it != pdu.end() && it->is_string()) {
      const auto target = server_of(it->get_ref<const std::string&>());
      if (!target.empty() && !std::binary_search(servers.begin(), servers.end(), target)) {
        servers.insert(std::lower_bound(servers.begin(), servers.end(), target), std::string(target));
      }
    }
  }
  std::erase_if(servers, [&](const std::string& s) { return s == own_server || (!except.empty() && s == except); });
  return servers;
}

nlohmann::json federation_form(const nlohmann::json& stored_pdu) {
  nlohmann::json pdu = stored_pdu;
  pdu.erase("unsigned");
  return pdu;
}

std::vector<std::string> edu_destinations(storage::ReadTx& tx, const std::string& room_id, std::string_view own_server) {
  auto servers = tx.rooms().joined_servers(room_id);
  std::erase(servers, std::string(own_server));
  return servers;
}

std::vector<std::string> user_edu_destinations(storage::ReadTx& tx, const std::string& user_id,
                                               std::string_view own_server) {
  std::set<std::string> servers;
  for (const auto& room : tx.rooms().rooms_for_user(user_id, storage::Membership::join)) {
    for (auto& server : tx.rooms().joined_servers(room.room_id)) {
      servers.insert(std::move(server));
    }
  }
  servers.erase(std::string(own_server));
  return {servers.begin(), servers.end()};
}

void queue_edu(storage::WriteTx& tx, const std::vector<std::string>& destinations, const nlohmann::json& edu) {
  if (destinations.empty()) {
    return;
  }
  const std::string body = edu.dump();
  for (const auto& destination : destinations) {
    tx.federation_outbox().enqueue(destination, storage::OutboundKind::edu, body);
  }
  Notifier::mark_queued(WorkQueue::federation_outbox);
}

std::size_t queue_edu_for_room_servers(storage::WriteTx& tx, const std::string& room_id, const nlohmann::json& edu,
                                       std::string_view own_server) {
  const auto destinations = edu_destinations(tx, room_id, own_server);
  queue_edu(tx, destinations, edu);
  return destinations.size();
}

std::size_t queue_for_room_servers(storage::WriteTx& tx, const nlohmann::json& pdu, std::string_view own_server,
                                   std::string_view except, std::optional<std::vector<std::string>> joined_servers) {
  const auto destinations = fanout_destinations(tx, pdu, own_server, except, std::move(joined_servers));
  if (destinations.empty()) {
    return 0;
  }
  const std::string body = federation_form(pdu).dump();
  for (const auto& destination : destinations) {
    tx.federation_outbox().enqueue(destination, storage::OutboundKind::pdu, body);
  }
  Notifier::mark_queued(WorkQueue::federation_outbox);
  return destinations.size();
}

}  // namespace ranvier::rooms
