#include "api/federation/outliers.hpp"

#include "api/federation/federation_rooms.hpp"
#include "federation/key_ring.hpp"

#include <algorithm>
#include <set>
#include <thread>

namespace ranvier::api::server_server {
namespace {

/// Below this many events, starting threads costs more than it saves.
constexpr std::size_t parallel_threshold = 64;

/// Asks the key ring, in parallel across servers, for every key the events are signed with.
void prefetch_keys(federation::KeyRing& ring, const std::vector<const nlohmann::json*>& pdus) {
  std::vector<federation::KeyRequest> wanted;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto* pdu : pdus) {
    const auto signatures = pdu->find("signatures");
    if (signatures == pdu->end() || !signatures->is_object()) {
      continue;
    }
    for (const auto& [server, keys] : signatures->items()) {
      if (!keys.is_object()) {
        continue;
      }
      for (const auto& [key_id, ignored] : keys.items()) {
        if (seen.emplace(server, key_id).second) {
          wanted.push_back({server, key_id, pdu->value("origin_server_ts", std::int64_t{0})});
        }
      }
    }
  }
  ring.prefetch(wanted);
}

}  // namespace

std::vector<const nlohmann::json*> pdus_in(std::initializer_list<const nlohmann::json*> lists) {
  std::vector<const nlohmann::json*> out;
  for (const auto* list : lists) {
    if (list == nullptr || !list->is_array()) {
      continue;
    }
    for (const auto& pdu : *list) {
      if (pdu.is_object()) {
        out.push_back(&pdu);
      }
    }
  }
  return out;
}

std::vector<rooms::VerifiedPdu> verify_room_pdus(federation::KeyRing& ring, const std::vector<const nlohmann::json*>& pdus,
                                                 const core::RoomVersion& version, const std::string& room_id) {
  prefetch_keys(ring, pdus);
  // The checks are independent and mostly ed25519 (a 10,000-member room's state is 10,000
  // signatures): big answers are checked on every core. The key ring is thread-safe.
  std::vector<rooms::ReceiveResult> results(pdus.size());
  const auto check = [&](std::size_t first, std::size_t step) {
    KeyRingLookup keys(ring);
    for (std::size_t i = first; i < pdus.size(); i += step) {
      try {
        results[i] = rooms::verify_received(*pdus[i], version, keys);
      } catch (const std::exception&) {
        // Not expected (the checks report problems as results), but an exception must not
        // leave a worker thread: the event is dropped like any malformed one.
        results[i] = rooms::ReceiveResult{};
      }
    }
  };
  const std::size_t workers =
      pdus.size() < parallel_threshold ? 1 : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  std::vector<std::thread> helpers;
  for (std::size_t w = 1; w < workers; ++w) {
    helpers.emplace_back(check, w, workers);
  }
  check(0, workers);
  for (auto& helper : helpers) {
    helper.join();
  }
  std::vector<rooms::VerifiedPdu> out;
  std::set<std::string> seen;
  for (auto& result : results) {
    if (result.verified && result.verified->room_id == room_id && seen.insert(result.event_id).second) {
      out.push_back(std::move(*result.verified));
    }
  }
  return out;
}

void store_outliers(storage::WriteTx& tx, const rooms::EventPipeline& pipeline,
                    const std::vector<rooms::VerifiedPdu>& events, const auth::SignatureChecks& signatures) {
  pipeline.store_outliers(tx, events, signatures);
}

}  // namespace ranvier::api::server_server
