#include "api/client/room_backfill.hpp"

#include "api/client/remote_join.hpp"
#include "api/client/room_access.hpp"
#include "api/federation/federation_rooms.hpp"
#include "api/federation/outliers.hpp"
#include "api/services.hpp"
#include "core/event.hpp"
#include "core/percent_encoding.hpp"
#include "federation/federation_client.hpp"
#include "rooms/event_pipeline.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace ranvier::api::client_server {
namespace {

/// The most events one /backfill asks for (what Ranvier and Synapse hand out per request).
constexpr std::size_t max_backfill = 100;
/// The most backward extremities named in one request (`v`): a long URL gains nothing.
constexpr std::size_t max_extremities = 20;
/// Rounds of closing a gap (auth chain or state fetched) per batch.
constexpr int max_rounds = 5;

using server_server::pdus_in;
using server_server::verify_room_pdus;

/// What the stored history of a batch still lacks after a round.
struct Stuck {
  rooms::VerifiedPdu pdu;
  rooms::ReceiveResult result;
};

/// The event IDs of a list of PDUs in the room's version.
std::vector<std::string> ids_of(const nlohmann::json* list, const core::RoomVersion& version) {
  std::vector<std::string> ids;
  for (const auto* pdu : pdus_in({list})) {
    ids.push_back(core::event_id_of(*pdu, version).value_or(pdu->value("event_id", "")));
  }
  return ids;
}

class HistoryFetch {
 public:
  HistoryFetch(RequestContext& ctx, std::string server, const core::RoomVersion& version)
      : ctx_(ctx),
        server_(std::move(server)),
        version_(version),
        ring_(server_server::key_ring_of(ctx)),
        keys_(ring_),
        checks_(rooms::received_signature_checks(ctx.services.pipeline.server_name(), version, keys_)) {}

  /// Stores `batch` oldest first, closing gaps as they show; how many events were new.
  std::size_t store(std::vector<rooms::VerifiedPdu> batch) {
    std::size_t stored = 0;
    for (int round = 0; round < max_rounds && !batch.empty(); ++round) {
      std::vector<Stuck> stuck;
      stored += write_and_notify(ctx_, [&](storage::WriteTx& tx) {
        stuck.clear();
        std::size_t added = 0;
        for (const auto& pdu : batch) {
          auto result = ctx_.services.pipeline.receive_history(tx, pdu, checks_);
          if (result.status == rooms::ReceiveStatus::missing_auth_events ||
              result.status == rooms::ReceiveStatus::missing_prev_events) {
            stuck.push_back({pdu, std::move(result)});
          } else if (result.stored() && result.status != rooms::ReceiveStatus::already_known) {
            ++added;
          }
        }
        return added;
      });
      if (stuck.empty()) {
        break;
      }
      // The earliest stuck event: once its gap is closed, those after it may follow.
      auto closed = close_gap(stuck.front());
      if (!closed) {
        break;
      }
      stored += *closed;
      batch.clear();
      for (auto& item : stuck) {
        batch.push_back(std::move(item.pdu));
      }
    }
    return stored;
  }

 private:
  /// Fetches what `item` lacks: its auth chain, or the state before it (which then stores it:
  /// 1 new event). nullopt when the server did not give it.
  std::optional<std::size_t> close_gap(const Stuck& item) {
    const auto& pdu = item.pdu;
    const auto room = core::percent_encode(pdu.room_id);
    const auto event = core::percent_encode(pdu.event_id);
    auto& client = *ctx_.services.federation_client;
    const bool wants_state = item.result.status == rooms::ReceiveStatus::missing_prev_events;
    auto answer = wants_state ? client.get(server_, "/_matrix/federation/v1/state/" + room + "?event_id=" + event)
                              : client.get(server_, "/_matrix/federation/v1/event_auth/" + room + "/" + event);
    if (!answer) {
      std::fprintf(stderr, "ranvier: backfill of %s: %s gave no %s for %s: %s\n", pdu.room_id.c_str(),
                   server_.c_str(), wants_state ? "state" : "auth chain", pdu.event_id.c_str(),
                   federation::describe(answer.error()).c_str());
      return std::nullopt;
    }
    const auto* state = answer->contains("pdus") ? &(*answer)["pdus"] : nullptr;
    const auto* auth_chain = answer->contains("auth_chain") ? &(*answer)["auth_chain"] : nullptr;
    auto outliers = verify_room_pdus(ring_, pdus_in({auth_chain, state}), version_, pdu.room_id);
    const auto state_ids = ids_of(state, version_);
    auto result = write_and_notify(ctx_, [&](storage::WriteTx& tx) {
      server_server::store_outliers(tx, ctx_.services.pipeline, outliers, checks_);
      return wants_state ? ctx_.services.pipeline.receive_history(tx, pdu, checks_, &state_ids) : rooms::ReceiveResult{};
    });
    if (!wants_state) {
      return 0;
    }
    if (!result.stored()) {
      return std::nullopt;
    }
    return result.status == rooms::ReceiveStatus::already_known ? 0 : 1;
  }

  RequestContext& ctx_;
  std::string server_;
  const core::RoomVersion& version_;
  federation::KeyRing& ring_;
  server_server::KeyRingLookup keys_;
  auth::SignatureChecks checks_;
};

}  // namespace

bool backfill_room(RequestContext& ctx, const std::string& room_id, std::size_t limit) {
  if (ctx.services.federation_client == nullptr) {
    return false;
  }
  struct Known {
    std::vector<std::string> extremities;
    std::vector<std::string> servers;
    const core::RoomVersion* version = nullptr;
  };
  const auto known = ctx.services.database.read([&](storage::ReadTx& tx) {
    Known k{tx.rooms().backward_extremities(room_id), tx.rooms().joined_servers(room_id), nullptr};
    if (auto room = tx.rooms().get(room_id)) {
      k.version = core::find_room_version(room->room_version);
    }
    return k;
  });
  if (known.extremities.empty() || known.version == nullptr) {
    return false;
  }
  std::string query = "?limit=" + std::to_string(std::clamp<std::size_t>(limit, 1, max_backfill));
  for (std::size_t i = 0; i < known.extremities.size() && i < max_extremities; ++i) {
    query += "&v=" + core::percent_encode(known.extremities[i]);
  }
  const auto path = "/_matrix/federation/v1/backfill/" + core::percent_encode(room_id) + query;
  for (const auto& server : remote_candidates(known.servers, ctx.services.pipeline.server_name())) {
    auto answer = ctx.services.federation_client->get(server, path);
    if (!answer || !answer->contains("pdus") || !(*answer)["pdus"].is_array()) {
      continue;
    }
    // No more than was asked for is checked, whatever the server sends (it lists the nearest
    // events first).
    auto listed = pdus_in({&(*answer)["pdus"]});
    if (listed.size() > max_backfill) {
      listed.resize(max_backfill);
    }
    auto batch = verify_room_pdus(server_server::key_ring_of(ctx), listed, *known.version, room_id);
    if (batch.empty()) {
      continue;
    }
    std::stable_sort(batch.begin(), batch.end(), [](const rooms::VerifiedPdu& a, const rooms::VerifiedPdu& b) {
      return a.pdu.value("depth", std::int64_t{0}) < b.pdu.value("depth", std::int64_t{0});
    });
    HistoryFetch fetch(ctx, server, *known.version);
    return fetch.store(std::move(batch)) > 0;
  }
  return false;
}

}  // namespace ranvier::api::client_server
