#include "core/pdu_format.hpp"

#include "core/canonical_json.hpp"
#include "core/identifiers.hpp"

namespace ranvier::core {
namespace {

using json = nlohmann::json;
using Issue = std::optional<PduFormatIssue>;

Issue issue(PduFormatError e, std::string_view field) { return PduFormatIssue{e, field}; }

// Looks up a required member of a given JSON type.
const json* member(const json& pdu, std::string_view key) {
  const auto it = pdu.find(key);
  return it == pdu.end() ? nullptr : &*it;
}

Issue require(const json& pdu, std::string_view key, json::value_t type, bool required = true) {
  const json* v = member(pdu, key);
  if (v == nullptr) {
    return required ? issue(PduFormatError::missing_field, key) : std::nullopt;
  }
  const bool ok = type == json::value_t::number_integer ? v->is_number_integer() : v->type() == type;
  return ok ? std::nullopt : issue(PduFormatError::wrong_type, key);
}

Issue check_short_string(const json& pdu, std::string_view key) {
  const json* v = member(pdu, key);
  if (v != nullptr && v->get_ref<const std::string&>().size() > max_identifier_bytes) {
    return issue(PduFormatError::too_long, key);
  }
  return std::nullopt;
}

// v1/v2 references are `[event_id, {"sha256": hash}]`; later versions plain event IDs.
bool is_valid_reference(const json& ref, EventFormat format) {
  if (format != EventFormat::v1) {
    return ref.is_string() && is_valid_event_id_for(ref.get_ref<const std::string&>(), format);
  }
  if (!ref.is_array() || ref.size() != 2 || !ref[0].is_string() || !ref[1].is_object()) {
    return false;
  }
  const auto hash = ref[1].find("sha256");
  return hash != ref[1].end() && hash->is_string() &&
         is_valid_event_id_for(ref[0].get_ref<const std::string&>(), format);
}

Issue check_references(const json& pdu, std::string_view key, std::size_t limit,
                       EventFormat format) {
  const json& refs = *member(pdu, key);
  if (refs.size() > limit) {
    return issue(PduFormatError::too_many_events, key);
  }
  for (const auto& ref : refs) {
    if (!is_valid_reference(ref, format)) {
      return issue(PduFormatError::invalid_identifier, key);
    }
  }
  return std::nullopt;
}

Issue check_signatures_shape(const json& signatures) {
  for (const auto& [server, by_key] : signatures.items()) {
    if (!by_key.is_object()) {
      return issue(PduFormatError::wrong_type, "signatures");
    }
    for (const auto& [key_id, sig] : by_key.items()) {
      if (!sig.is_string()) {
        return issue(PduFormatError::wrong_type, "signatures");
      }
    }
  }
  return std::nullopt;
}

Issue check_room_id(const json& pdu, const RoomVersion& version) {
  const json* room_id = member(pdu, "room_id");
  const json* type = member(pdu, "type");
  const bool is_create = type->get_ref<const std::string&>() == "m.room.create" &&
                         member(pdu, "state_key") != nullptr;
  if (version.room_id_is_create_hash && is_create) {
    // The create event defines the room ID, so it cannot contain it.
    return room_id == nullptr ? std::nullopt : issue(PduFormatError::unexpected_field, "room_id");
  }
  if (auto e = require(pdu, "room_id", json::value_t::string)) {
    return e;
  }
  if (auto e = check_short_string(pdu, "room_id")) {
    return e;
  }
  if (!is_valid_room_id_for(room_id->get_ref<const std::string&>(), version)) {
    return issue(PduFormatError::invalid_identifier, "room_id");
  }
  return std::nullopt;
}

Issue check_fields(const json& pdu, const RoomVersion& version) {
  using T = json::value_t;
  for (const auto& [key, type] : {std::pair{"type", T::string}, {"sender", T::string},
                                  {"content", T::object}, {"hashes", T::object},
                                  {"signatures", T::object}, {"auth_events", T::array},
                                  {"prev_events", T::array}, {"depth", T::number_integer},
                                  {"origin_server_ts", T::number_integer}}) {
    if (auto e = require(pdu, key, type)) {
      return e;
    }
  }
  for (const auto& [key, type] : {std::pair{"state_key", T::string}, {"unsigned", T::object},
                                  {"origin", T::string}, {"event_id", T::string}}) {
    if (auto e = require(pdu, key, type, false)) {
      return e;
    }
  }
  if (version.event_format == EventFormat::v1 && member(pdu, "event_id") == nullptr) {
    return issue(PduFormatError::missing_field, "event_id");
  }
  if (version.event_format == EventFormat::v1 || !version.redacts_in_content) {
    if (auto e = require(pdu, "redacts", T::string, false)) {
      return e;
    }
  }
  for (const auto* key : {"type", "state_key", "sender", "event_id"}) {
    if (auto e = check_short_string(pdu, key)) {
      return e;
    }
  }
  if (auto e = require(*member(pdu, "hashes"), "sha256", T::string)) {
    return issue(e->error, "hashes");
  }
  return check_signatures_shape(*member(pdu, "signatures"));
}

}  // namespace

std::string_view to_string(PduFormatError e) {
  switch (e) {
    case PduFormatError::not_an_object: return "event is not a JSON object";
    case PduFormatError::too_large: return "event exceeds 65536 bytes";
    case PduFormatError::non_canonical_json: return "event is not canonical JSON";
    case PduFormatError::missing_field: return "missing field";
    case PduFormatError::wrong_type: return "field has the wrong type";
    case PduFormatError::too_long: return "field exceeds 255 bytes";
    case PduFormatError::invalid_identifier: return "malformed identifier";
    case PduFormatError::too_many_events: return "too many referenced events";
    case PduFormatError::depth_out_of_range: return "depth out of range";
    case PduFormatError::unexpected_field: return "field not allowed in this room version";
  }
  return "malformed event";
}

std::optional<PduFormatIssue> check_pdu_format(const json& pdu, const RoomVersion& version) {
  if (!pdu.is_object()) {
    return issue(PduFormatError::not_an_object, {});
  }
  if (const auto bad = check_canonical(pdu, version.strict_canonical_json ? NumberPolicy::canonical
                                                                           : NumberPolicy::lenient)) {
    return issue(PduFormatError::non_canonical_json, {});
  }
  if (canonical_json(pdu).size() > max_pdu_bytes) {
    return issue(PduFormatError::too_large, {});
  }
  if (auto e = check_fields(pdu, version)) {
    return e;
  }
  if (!is_valid_user_id(member(pdu, "sender")->get_ref<const std::string&>())) {
    return issue(PduFormatError::invalid_identifier, "sender");
  }
  if (version.event_format == EventFormat::v1 &&
      !is_valid_event_id_for(member(pdu, "event_id")->get_ref<const std::string&>(),
                             EventFormat::v1)) {
    return issue(PduFormatError::invalid_identifier, "event_id");
  }
  if (auto e = check_room_id(pdu, version)) {
    return e;
  }
  if (member(pdu, "depth")->get<std::int64_t>() < 0) {
    return issue(PduFormatError::depth_out_of_range, "depth");
  }
  if (auto e = check_references(pdu, "auth_events", max_auth_events, version.event_format)) {
    return e;
  }
  return check_references(pdu, "prev_events", max_prev_events, version.event_format);
}

}  // namespace ranvier::core
