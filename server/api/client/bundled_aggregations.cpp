#include "api/client/bundled_aggregations.hpp"

#include <limits>
#include <optional>
#include <tuple>

namespace ranvier::api::client_server {
namespace {

constexpr std::int64_t end_of_stream = std::numeric_limits<std::int64_t>::max();
/// Edits looked at for the newest valid one; references listed.
constexpr std::size_t max_edits = 100;
constexpr std::size_t max_references = 100;

nlohmann::json content_of(const storage::StoredEvent& event) {
  auto pdu = nlohmann::json::parse(event.json, nullptr, false);
  return pdu.is_object() ? pdu.value("content", nlohmann::json::object()) : nlohmann::json::object();
}

/// Spec ("Validity of replacement events"): same type and sender as the original, neither a
/// state event, and the replacement carries `m.new_content` (encrypted ones cannot be looked
/// into, so they pass that part).
bool valid_replacement(const storage::StoredEvent& original, const storage::StoredEvent& edit) {
  if (edit.type != original.type || edit.sender != original.sender || edit.state_key || edit.redacted_by) {
    return false;
  }
  if (edit.type == "m.room.encrypted") {
    return true;
  }
  const auto content = content_of(edit);
  return content.contains("m.new_content") && content["m.new_content"].is_object();
}

/// The newest valid edit: latest origin_server_ts, then the lexicographically largest event ID.
std::optional<storage::StoredEvent> newest_edit(storage::ReadTx& tx, const storage::StoredEvent& original) {
  storage::RelationQuery query{.room_id = original.room_id, .event_id = original.event_id, .rel_type = "m.replace",
                               .event_type = original.type};
  std::optional<storage::StoredEvent> newest;
  for (auto& edit : tx.events().relations(query, 0, end_of_stream, storage::Direction::backward, max_edits)) {
    if (!valid_replacement(original, edit)) {
      continue;
    }
    if (!newest || std::tie(edit.origin_server_ts, edit.event_id) > std::tie(newest->origin_server_ts, newest->event_id)) {
      newest = std::move(edit);
    }
  }
  return newest;
}

}  // namespace

nlohmann::json bundled_aggregations(storage::ReadTx& tx, const storage::StoredEvent& event, const Principal& viewer,
                                    const ServeRelated& serve, const std::vector<storage::RelationCount>* counts) {
  if (event.state_key) {
    return nullptr;  // spec: state events do not currently receive bundled aggregations
  }
  std::vector<storage::RelationCount> read;
  if (counts == nullptr) {
    const std::string ids[] = {event.event_id};
    auto found = tx.events().relation_counts(event.room_id, ids, viewer.user_id);
    if (!found.empty()) {
      read = std::move(found.begin()->second);
    }
    counts = &read;
  }
  if (counts->empty()) {
    return nullptr;
  }
  nlohmann::json relations = nlohmann::json::object();
  for (const auto& relation : *counts) {
    if (relation.rel_type == "m.thread") {
      nlohmann::json thread = {{"count", relation.count},
                               {"current_user_participated",
                                event.sender == viewer.user_id || relation.sent_by_user > 0}};
      storage::RelationQuery replies{.room_id = event.room_id, .event_id = event.event_id, .rel_type = "m.thread"};
      auto latest = tx.events().relations(replies, 0, end_of_stream, storage::Direction::backward, 1);
      if (!latest.empty()) {
        thread["latest_event"] = serve(latest.front());
      }
      relations["m.thread"] = std::move(thread);
    } else if (relation.rel_type == "m.replace") {
      // Spec ("Redactions of the original event"): a redacted original loses its edits, and an
      // edit cannot itself be edited.
      if (event.redacted_by || event.rel_type == "m.replace") {
        continue;
      }
      if (auto edit = newest_edit(tx, event)) {
        relations["m.replace"] = serve(*edit);
      }
    } else if (relation.rel_type == "m.reference") {
      storage::RelationQuery references{.room_id = event.room_id, .event_id = event.event_id,
                                        .rel_type = "m.reference"};
      auto chunk = nlohmann::json::array();
      for (const auto& reference :
           tx.events().relations(references, 0, end_of_stream, storage::Direction::forward, max_references)) {
        chunk.push_back({{"event_id", reference.event_id}});
      }
      relations["m.reference"] = {{"chunk", std::move(chunk)}};
    }
  }
  return relations.empty() ? nlohmann::json(nullptr) : relations;
}

}  // namespace ranvier::api::client_server
